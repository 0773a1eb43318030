package org.eucalypt.stack;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What happens to stacks that lose members, in the transaction that takes them: a stack left
 * with fewer than two members dissolves (its last member goes back to loose display, the stack
 * row goes), any other is updated. Trashed members still count towards the two, as Gumnut
 * documents, so trashing a frame never dissolves a stack; only a permanent delete or a removal does.
 *
 * <p>Every path that changes a stack's membership also updates (or deletes) the stack's row; the
 * stack changes take their stack's row lock in repeatable read, so one that raced such a change
 * fails with a serialization error (409) instead of acting on a membership that no longer is.
 */
public final class Membership {
  private Membership() {
  }

  /**
   * After asset rows were deleted for good (a permanent delete, empty-trash, the drain): the
   * stacks they were in, each with the assets it lost. The deleted assets' pins were already
   * cleared by the foreign key ({@code ON DELETE SET NULL}). Called by {@code asset.Purge} in its
   * transaction, which holds the library's row lock, so its work stays bounded by its batch.
   */
  public static Future<Void> afterAssetsDeleted(SqlClient tx, UUID user, UUID library, Map<UUID, List<UUID>> lost,
                                                OffsetDateTime now) {
    if (lost.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Event> events = new ArrayList<>();
    return settle(tx, user, library, lost, false, "assets_deleted", now, events)
      .compose(v -> Events.recordAll(tx, events));
  }

  /**
   * Dissolves the stacks of {@code lost} left with fewer than two members and updates the rest
   * ({@code byUser}: marking them user-owned, as an edit by the user does), appending the events.
   */
  static Future<Void> settle(SqlClient tx, UUID user, UUID library, Map<UUID, List<UUID>> lost, boolean byUser,
                             String change, OffsetDateTime now, List<Event> events) {
    if (lost.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] stacks = lost.keySet().stream().sorted().toArray(UUID[]::new);
    return tx.preparedQuery(StackSql.LOCK_STACKS).execute(Tuple.of((Object) stacks))
      // A statement of its own after the lock: one that waited reads the members as they are now.
      .compose(locked -> tx.preparedQuery(StackSql.MEMBER_COUNTS).execute(Tuple.of((Object) stacks)))
      .compose(counts -> {
        List<UUID> dissolve = new ArrayList<>();
        List<UUID> survive = new ArrayList<>();
        for (Row r : counts) {
          (r.getLong("members") < 2 ? dissolve : survive).add(r.getUUID("id"));
        }
        for (UUID s : survive) {
          events.add(stackEvent(user, library, s, "stack_updated", new JsonObject()
            .put("change", change).put("asset_ids", assetIds(lost.get(s))), now));
        }
        Future<Void> touched = survive.isEmpty() ? Future.succeededFuture()
          : tx.preparedQuery(byUser ? StackSql.TOUCH_BY_USER : StackSql.TOUCH)
              .execute(Tuple.of(survive.toArray(UUID[]::new), now)).mapEmpty();
        return touched.compose(v -> dissolve(tx, user, library, dissolve, now, events));
      });
  }

  /** Frees every member of these stacks, deletes them, and appends the events. */
  static Future<Void> dissolve(SqlClient tx, UUID user, UUID library, Collection<UUID> stacks, OffsetDateTime now,
                               List<Event> events) {
    if (stacks.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] ids = stacks.toArray(UUID[]::new);
    return tx.preparedQuery(StackSql.FREE_MEMBERS).execute(Tuple.of(ids, now))
      .compose(freed -> {
        // In id order, so the feed reads the same whatever order the rows came back in.
        List<Row> rows = new ArrayList<>();
        freed.forEach(rows::add);
        rows.sort(java.util.Comparator.comparing(r -> r.getUUID("id")));
        for (Row r : rows) {
          events.add(left(user, library, r.getUUID("id"), r.getUUID("stack_id"), now));
        }
        for (UUID s : ids) {
          events.add(stackEvent(user, library, s, "stack_deleted", new JsonObject(), now));
        }
        return tx.preparedQuery(StackSql.DELETE).execute(Tuple.of((Object) ids));
      })
      .mapEmpty();
  }

  static Event stackEvent(UUID user, UUID library, UUID stack, String type, JsonObject payload, OffsetDateTime now) {
    return new Event(user, library, "stack", Ids.STACK.format(stack), type, payload, now);
  }

  /** An asset's {@code stack_id} changed: Gumnut's {@code asset_updated}, saying to what. */
  static Event joined(UUID user, UUID library, UUID asset, UUID stack, OffsetDateTime now) {
    return Event.assetUpdated(user, library, Ids.ASSET.format(asset), new JsonObject()
      .put("change", "stack").put("stack_id", Ids.STACK.format(stack)), now);
  }

  static Event left(UUID user, UUID library, UUID asset, UUID stack, OffsetDateTime now) {
    return Event.assetUpdated(user, library, Ids.ASSET.format(asset), new JsonObject()
      .put("change", "stack").put("stack_id", null).put("previous_stack_id", Ids.STACK.format(stack)), now);
  }

  static JsonArray assetIds(Collection<UUID> assets) {
    JsonArray out = new JsonArray();
    if (assets != null) {
      assets.forEach(a -> out.add(Ids.ASSET.format(a)));
    }
    return out;
  }
}
