package org.eucalypt.stack;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.asset.AssetServiceImpl;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.DomainException;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.db.Pages;
import org.eucalypt.db.Reads;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@link StackService} on PostgreSQL. Reads go through the pipelined client; every change is one
 * transaction in <em>repeatable read</em> that first takes its library's row lock in share mode
 * (a drain batch, an asset trash or a permanent delete, which lock it exclusively, wait for it
 * or it for them), then the rows it changes in a fixed order: stacks, then assets, each by id.
 *
 * <p>Repeatable read is what turns a race into a clean 409: a change that meets a stack or asset
 * row another transaction changed after it began fails with a serialization error instead of
 * acting on what it read. So of two requests putting one asset into different stacks at once,
 * exactly one wins and the other answers 409 with nothing changed, as Gumnut documents.
 */
public final class StackServiceImpl implements StackService {
  private static final int LIBRARY_LOCK_ATTEMPTS = 5;

  private final Clock clock;
  private final Pool pool;
  private final Reads reads;

  public StackServiceImpl(Vertx vertx, Settings settings, Clock clock) {
    this.clock = clock;
    this.pool = Database.pool(vertx, settings);
    this.reads = Database.reads(vertx, settings);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  // ================================================================ reads

  @Override
  public Future<Stack> getStack(Caller caller, String stackId) {
    UUID id = Ids.STACK.parse(stackId).orElse(null);
    if (id == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(StackSql.GET).execute(Tuple.of(id, caller.userId())))
      .compose(rows -> inScope(caller, rows)).map(Stack::of);
  }

  @Override
  public Future<StackPage> listStacks(Caller caller, StackFilter filter) {
    List<String> ids = filter.ids();
    String origin = filter.origin();
    String primaryAssetId = filter.primaryAssetId();
    String startingAfterId = filter.startingAfterId();
    int limit = filter.limit();
    return reads.run(c -> AssetServiceImpl.resolveLibrary(c, caller, filter.libraryId())).compose(library -> {
      List<Object> params = new ArrayList<>(List.of(library));
      StringBuilder sql = new StringBuilder("SELECT " + StackSql.COLUMNS + " FROM stacks s WHERE s.library_id = $1");
      if (ids != null) {
        // An id that cannot exist matches nothing, like one that does not.
        params.add(ids.stream().flatMap(i -> Ids.STACK.parse(i).stream()).toArray(UUID[]::new));
        sql.append(" AND s.id = ANY($").append(params.size()).append(")");
      }
      if (origin != null) {
        params.add(origin);
        sql.append(" AND s.origin = $").append(params.size());
      }
      if (primaryAssetId != null) {
        params.add(Ids.ASSET.parse(primaryAssetId).orElse(new UUID(0, 0)));
        sql.append(" AND s.primary_asset_id = $").append(params.size());
      }
      if (startingAfterId != null) {
        params.add(Ids.STACK.parse(startingAfterId).orElse(new UUID(0, 0)));
        sql.append(" AND s.id > $").append(params.size());
      }
      params.add(Pages.fetch(limit));
      sql.append(" ORDER BY s.id LIMIT $").append(params.size());
      return reads.run(c -> c.preparedQuery(sql.toString()).execute(Tuple.from(params)));
    }).map(rows -> new StackPage(Pages.items(rows, limit, Stack::of), Pages.hasMore(rows, limit)));
  }

  /**
   * The library of the caller's stack, if that library is live and in the key's scope: where
   * {@code list_assets?stack_id=} looks when no library is named (a stack's frames are listed
   * by its id alone, as Gumnut's clients do).
   */
  public static Future<UUID> libraryOf(SqlClient client, Caller caller, String stackId) {
    UUID id = Ids.STACK.parse(stackId).orElse(null);
    if (id == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return client.preparedQuery(StackSql.LIBRARY_OF).execute(Tuple.of(id, caller.userId()))
      .compose(rows -> inScope(caller, rows)).map(r -> r.getUUID("library_id"));
  }

  // ================================================================ changes

  @Override
  public Future<Stack> createStack(Caller caller, String libraryId, List<String> assetIds, String primaryAssetId) {
    UUID[] ids;
    UUID primary;
    try {
      ids = assetIds(assetIds);
      primary = primaryAssetId == null ? null : Ids.ASSET.parse(primaryAssetId).orElseThrow(DomainException::notFound);
    } catch (DomainException e) {
      return Future.failedFuture(e);
    }
    if (ids.length < 2) {
      return Future.failedFuture(DomainException.badRequest("A stack needs at least 2 distinct assets"));
    }
    if (primary != null && !Arrays.asList(ids).contains(primary)) {
      return Future.failedFuture(DomainException.badRequest("primary_asset_id must be one of asset_ids"));
    }
    UUID user = caller.userId();
    UUID stack = Ids.newUuid();
    return reads.run(c -> AssetServiceImpl.resolveLibrary(c, caller, libraryId)).compose(library ->
      change(tx -> lockLibrary(tx, StackSql.LOCK_LIBRARY, Tuple.of(library, user))
        .compose(v -> {
          OffsetDateTime now = now();
          List<Event> events = new ArrayList<>();
          return lockAssets(tx, library, ids)
            .compose(rows -> tx.preparedQuery(StackSql.INSERT).execute(Tuple.of(stack, library, primary, now))
              .compose(inserted -> move(tx, user, library, stack, rows, now, events)))
            .compose(moved -> {
              events.add(0, Membership.stackEvent(user, library, stack, "stack_created", new JsonObject()
                .put("asset_ids", Membership.assetIds(moved))
                .put("primary_asset_id", primary == null ? null : Ids.ASSET.format(primary)), now));
              return Events.recordAll(tx, events);
            })
            .compose(recorded -> read(tx, stack, user));
        })));
  }

  @Override
  public Future<Stack> addAssetsToStack(Caller caller, String stackId, List<String> assetIds) {
    UUID stack = Ids.STACK.parse(stackId).orElse(null);
    UUID[] ids;
    try {
      ids = assetIds(assetIds);
    } catch (DomainException e) {
      return Future.failedFuture(e);
    }
    if (stack == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    UUID user = caller.userId();
    return change(tx -> lockStack(tx, caller, stack).compose(target -> {
      UUID library = target.getUUID("library_id");
      OffsetDateTime now = now();
      List<Event> events = new ArrayList<>();
      return lockAssets(tx, library, ids)
        .compose(rows -> move(tx, user, library, stack, rows, now, events))
        .compose(moved -> {
          if (moved.isEmpty()) {
            // Nothing changes: origin stays as it was, no event.
            return Future.succeededFuture();
          }
          events.add(0, Membership.stackEvent(user, library, stack, "stack_updated", new JsonObject()
            .put("change", "assets_added").put("asset_ids", Membership.assetIds(moved)), now));
          return tx.preparedQuery(StackSql.TOUCH_BY_USER).execute(Tuple.of(new UUID[] {stack}, now))
            .compose(v -> Events.recordAll(tx, events));
        })
        .compose(v -> read(tx, stack, user));
    }));
  }

  @Override
  public Future<Void> removeAssetsFromStack(Caller caller, String stackId, List<String> assetIds) {
    UUID stack = Ids.STACK.parse(stackId).orElse(null);
    if (stack == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    // Ids that are not members are ignored, whatever they are: malformed ones too.
    UUID[] ids = assetIds.stream().flatMap(i -> Ids.ASSET.parse(i).stream()).distinct().toArray(UUID[]::new);
    UUID user = caller.userId();
    return change(tx -> lockStack(tx, caller, stack).compose(target -> {
      UUID library = target.getUUID("library_id");
      OffsetDateTime now = now();
      return tx.preparedQuery(StackSql.LOCK_MEMBERS_AMONG).execute(Tuple.of(stack, (Object) ids)).compose(members -> {
        if (members.size() == 0) {
          return Future.<Void>succeededFuture();
        }
        List<UUID> removed = new ArrayList<>();
        members.forEach(r -> removed.add(r.getUUID("id")));
        UUID[] out = removed.toArray(UUID[]::new);
        List<Event> events = new ArrayList<>();
        removed.forEach(a -> events.add(Membership.left(user, library, a, stack, now)));
        return tx.preparedQuery(StackSql.LEAVE).execute(Tuple.of(out, now))
          .compose(v -> tx.preparedQuery(StackSql.UNPIN).execute(Tuple.of(stack, (Object) out)))
          .compose(v -> Membership.settle(tx, user, library, Map.of(stack, removed), true, "assets_removed", now, events))
          .compose(v -> Events.recordAll(tx, events));
      });
    }));
  }

  @Override
  public Future<Void> deleteStack(Caller caller, String stackId) {
    UUID stack = Ids.STACK.parse(stackId).orElse(null);
    if (stack == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    UUID user = caller.userId();
    return change(tx -> lockStack(tx, caller, stack).compose(target -> {
      List<Event> events = new ArrayList<>();
      UUID library = target.getUUID("library_id");
      return Membership.dissolve(tx, user, library, List.of(stack), now(), events)
        .compose(v -> Events.recordAll(tx, events));
    }));
  }

  @Override
  public Future<Stack> setCover(Caller caller, String stackId, String primaryAssetId) {
    UUID stack = Ids.STACK.parse(stackId).orElse(null);
    if (stack == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    UUID asset = Ids.ASSET.parse(primaryAssetId).orElse(null);
    UUID user = caller.userId();
    return change(tx -> lockStack(tx, caller, stack).compose(target -> {
      UUID library = target.getUUID("library_id");
      OffsetDateTime now = now();
      return tx.preparedQuery(StackSql.LIVE_MEMBER).execute(Tuple.of(asset, stack)).compose(member -> {
        if (member.size() == 0) {
          return Future.failedFuture(DomainException.badRequest("primary_asset_id must be a live member of this stack"));
        }
        return tx.preparedQuery(StackSql.SET_COVER).execute(Tuple.of(stack, asset, now))
          .compose(v -> Events.record(tx, Membership.stackEvent(user, library, stack, "stack_updated", new JsonObject()
            .put("change", "cover_set").put("primary_asset_id", Ids.ASSET.format(asset)), now)))
          .compose(v -> read(tx, stack, user));
      });
    }));
  }

  /**
   * Moves {@code requested} (locked rows of assets) into {@code target}, with what each drags
   * along: an asset that was another stack's pinned cover folds that whole stack in. Members
   * already in {@code target} are skipped. The stacks left behind are settled (dissolved below
   * two members) and every event appended. Answers the assets that moved, in id order.
   */
  private static Future<List<UUID>> move(SqlConnection tx, UUID user, UUID library, UUID target, RowSet<Row> requested,
                                         OffsetDateTime now, List<Event> events) {
    Set<UUID> moving = new LinkedHashSet<>();
    Map<UUID, List<UUID>> left = new HashMap<>();
    for (Row r : requested) {
      UUID from = r.getUUID("stack_id");
      if (target.equals(from)) {
        continue;
      }
      if (r.getOffsetDateTime("trashed_at") != null) {
        return Future.failedFuture(DomainException.badRequest(
          "Asset " + Ids.ASSET.format(r.getUUID("id")) + " is in the trash; restore it before stacking it"));
      }
      moving.add(r.getUUID("id"));
      if (from != null) {
        left.computeIfAbsent(from, k -> new ArrayList<>()).add(r.getUUID("id"));
      }
    }
    if (moving.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    UUID[] others = left.keySet().stream().sorted().toArray(UUID[]::new);
    Future<Void> folded = others.length == 0 ? Future.succeededFuture()
      : tx.preparedQuery(StackSql.LOCK_STACKS).execute(Tuple.of((Object) others)).compose(stacks -> {
        List<UUID> fold = new ArrayList<>();
        for (Row s : stacks) {
          UUID pin = s.getUUID("primary_asset_id");
          if (pin != null && moving.contains(pin)) {
            fold.add(s.getUUID("id"));
          }
        }
        if (fold.isEmpty()) {
          return Future.succeededFuture();
        }
        return tx.preparedQuery(StackSql.LOCK_MEMBERS).execute(Tuple.of((Object) fold.toArray(UUID[]::new)))
          .map(members -> {
            for (Row m : members) {
              if (moving.add(m.getUUID("id"))) {
                left.get(m.getUUID("stack_id")).add(m.getUUID("id"));
              }
            }
            return null;
          });
      });
    return folded.compose(v -> {
      List<UUID> moved = moving.stream().sorted().toList();
      moved.forEach(a -> events.add(Membership.joined(user, library, a, target, now)));
      return tx.preparedQuery(StackSql.JOIN).execute(Tuple.of(moved.toArray(UUID[]::new), target, now))
        .compose(joined -> Membership.settle(tx, user, library, left, true, "assets_moved", now, events))
        .map(moved);
    });
  }

  // ================================================================ locks and transactions

  /**
   * One change in repeatable read. Its first statement locks the library: if that meets a
   * library row changed after the snapshot (an upload counting itself in), nothing has been done
   * yet, so the transaction simply starts again. A serialization failure or deadlock any later
   * is a real race with another stack change: CONFLICT, and the transaction rolled back whole.
   */
  private <T> Future<T> change(Function<SqlConnection, Future<T>> work) {
    return change(work, 1);
  }

  private <T> Future<T> change(Function<SqlConnection, Future<T>> work, int attempt) {
    return pool.<T>withTransaction(tx -> tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
        .compose(v -> work.apply(tx)))
      .recover(e -> {
        if (e instanceof LibraryMoved && attempt < LIBRARY_LOCK_ATTEMPTS) {
          return change(work, attempt + 1);
        }
        if (e instanceof LibraryMoved || Database.lostRace(e)) {
          return Future.failedFuture(DomainException.raceLost(
            "A concurrent change to these stacks or assets came first; nothing was changed, retry the request"));
        }
        return Future.failedFuture(e);
      });
  }

  /** The first statement of a change: the live library, share-locked. */
  private static Future<RowSet<Row>> lockLibrary(SqlConnection tx, String sql, Tuple params) {
    return tx.preparedQuery(sql).execute(params)
      .recover(e -> Future.failedFuture(Database.lostRace(e) ? new LibraryMoved() : e))
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(DomainException.notFound()) : Future.succeededFuture(rows));
  }

  /** The caller's stack in a live library in the key's scope, with its library share-locked and itself locked. */
  private static Future<Row> lockStack(SqlConnection tx, Caller caller, UUID stack) {
    return lockLibrary(tx, StackSql.LOCK_LIBRARY_OF_STACK, Tuple.of(stack, caller.userId()))
      .compose(library -> caller.reaches(library.iterator().next().getUUID("id"))
        ? tx.preparedQuery(StackSql.LOCK).execute(Tuple.of(stack, caller.userId()))
        : Future.failedFuture(DomainException.notFound()))
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(DomainException.notFound())
        : Future.succeededFuture(rows.iterator().next()));
  }

  /** Locks the named assets; every one must be in the library, else NOT_FOUND and nothing changes. */
  private static Future<RowSet<Row>> lockAssets(SqlConnection tx, UUID library, UUID[] ids) {
    return tx.preparedQuery(StackSql.LOCK_ASSETS).execute(Tuple.of(library, (Object) ids))
      .compose(rows -> rows.size() == ids.length ? Future.succeededFuture(rows) : Future.failedFuture(DomainException.notFound()));
  }

  /** The stack as this transaction leaves it. */
  private static Future<Stack> read(SqlConnection tx, UUID stack, UUID user) {
    return tx.preparedQuery(StackSql.GET).execute(Tuple.of(stack, user)).map(rows -> Stack.of(rows.iterator().next()));
  }

  /** The distinct UUIDs of a request's asset ids; one that cannot exist is unknown: NOT_FOUND. */
  private static UUID[] assetIds(List<String> ids) {
    return ids.stream().map(i -> Ids.ASSET.parse(i).orElseThrow(DomainException::notFound)).distinct().toArray(UUID[]::new);
  }

  /** A row found by id is visible only if its library is in the key's scope. */
  private static Future<Row> inScope(Caller caller, RowSet<Row> rows) {
    if (rows.size() == 0 || !caller.reaches(rows.iterator().next().getUUID("library_id"))) {
      return Future.failedFuture(DomainException.notFound());
    }
    return Future.succeededFuture(rows.iterator().next());
  }

  /** The library lock met a row changed after the snapshot began: start the transaction again. */
  private static final class LibraryMoved extends RuntimeException {
    LibraryMoved() {
      super("library row changed under the snapshot", null, false, false);
    }
  }
}
