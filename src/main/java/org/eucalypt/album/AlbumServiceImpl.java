package org.eucalypt.album;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
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
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@link AlbumService} on PostgreSQL. Reads go through the pipelined client; every change is one
 * transaction on a pooled connection, with its events recorded in the same transaction.
 */
public final class AlbumServiceImpl implements AlbumService {
  private final Clock clock;
  private final Pool pool;
  private final Reads reads;

  public AlbumServiceImpl(Vertx vertx, Settings settings, Clock clock) {
    this.clock = clock;
    this.pool = Database.pool(vertx, settings);
    this.reads = Database.reads(vertx, settings);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  @Override
  public Future<Album> createAlbum(Caller caller, AlbumChanges body) {
    UUID id = Ids.newUuid();
    UUID user = caller.userId();
    OffsetDateTime now = now();
    return pool.withTransaction(tx -> AssetServiceImpl.resolveLibrary(tx, caller, body.libraryId())
      .compose(library -> tx.preparedQuery(AlbumSql.LOCK_LIBRARY).execute(Tuple.of(library, user))
        .compose(live -> live.size() == 0 ? Future.<Void>failedFuture(DomainException.notFound()) : Future.<Void>succeededFuture())
        .compose(v -> tx.preparedQuery(AlbumSql.INSERT)
          .execute(Tuple.of(id, library, body.hasName() ? body.name() : "", body.description(), now)))
        .compose(v -> Events.record(tx, AlbumEvents.album(user, library, id, "album_created", now))))
      .compose(v -> find(tx, caller, id)));
  }

  @Override
  public Future<Album> getAlbum(Caller caller, String albumId) {
    UUID id = Ids.ALBUM.parse(albumId).orElse(null);
    if (id == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> find(c, caller, id));
  }

  private static Future<Album> find(SqlClient client, Caller caller, UUID album) {
    return client.preparedQuery(AlbumSql.GET).execute(Tuple.of(album, caller.userId()))
      .compose(rows -> inScope(caller, rows)).map(Album::of);
  }

  @Override
  public Future<AlbumPage> listAlbums(Caller caller, AlbumFilter filter) {
    int limit = filter.limit();
    UUID asset = filter.assetId() == null ? null : Ids.ASSET.parse(filter.assetId()).orElse(new UUID(0, 0));
    UUID after = filter.startingAfterId() == null ? null
      : Ids.ALBUM.parse(filter.startingAfterId()).orElse(new UUID(0, 0));
    return reads.run(c -> AssetServiceImpl.resolveLibrary(c, caller, filter.libraryId())).compose(library -> {
      AlbumSql.Query q = AlbumSql.listAlbums(library, AlbumSql.uuids(Ids.ALBUM, filter.ids()), asset, after,
        Pages.fetch(limit));
      return reads.run(c -> c.preparedQuery(q.sql()).execute(q.params()));
    }).map(rows -> new AlbumPage(Pages.items(rows, limit, Album::of), Pages.hasMore(rows, limit)));
  }

  @Override
  public Future<Album> updateAlbum(Caller caller, String albumId, AlbumChanges changes) {
    OffsetDateTime now = now();
    UUID cover = null;
    if (changes.hasCover() && changes.coverAssetId() != null) {
      cover = Ids.ASSET.parse(changes.coverAssetId()).orElse(null);
      if (cover == null) {
        return Future.failedFuture(notALiveMember());
      }
    }
    UUID chosen = cover;
    return change(caller, albumId, (tx, library, album) -> {
      Future<Void> checked = chosen == null ? Future.succeededFuture()
        : tx.preparedQuery(AlbumSql.LIVE_MEMBER).execute(Tuple.of(album, chosen))
          .compose(rows -> rows.size() == 0 ? Future.failedFuture(notALiveMember()) : Future.succeededFuture());
      return checked
        .compose(v -> tx.preparedQuery(AlbumSql.UPDATE).execute(Tuple.tuple()
          .addUUID(album)
          .addBoolean(changes.hasName()).addString(changes.name())
          .addBoolean(changes.hasDescription()).addString(changes.description())
          .addBoolean(changes.hasCover()).addUUID(chosen)
          .addOffsetDateTime(now)))
        // The event carries the cover the album shows from now on, so that a client replaying the
        // feed gets it as it was then, not as it is when it fetches the album.
        .compose(v -> find(tx, caller, album))
        .compose(updated -> Events.record(tx, AlbumEvents.updated(caller.userId(), library, album,
          updated.albumCoverAssetId(), now)).map(updated));
    });
  }

  private static DomainException notALiveMember() {
    return DomainException.badRequest("album_cover_asset_id must be a live asset already in the album");
  }

  @Override
  public Future<Void> deleteAlbum(Caller caller, String albumId) {
    OffsetDateTime now = now();
    return change(caller, albumId, (tx, library, album) -> tx.preparedQuery(AlbumSql.DELETE).execute(Tuple.of(album))
      // Deleted meanwhile by another request: as if it never was.
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(DomainException.notFound())
        : Events.record(tx, AlbumEvents.album(caller.userId(), library, album, "album_deleted", now))));
  }

  @Override
  public Future<AssetsAdded> addAssetsToAlbum(Caller caller, String albumId, List<String> assetIds) {
    OffsetDateTime now = now();
    // Each id once, in the order given; those that cannot be asset ids are simply not found.
    List<String> asked = List.copyOf(new LinkedHashSet<>(assetIds));
    Map<UUID, String> byUuid = new HashMap<>();
    for (String id : asked) {
      Ids.ASSET.parse(id).ifPresent(u -> byUuid.putIfAbsent(u, id));
    }
    return change(caller, albumId, (tx, library, album) -> tx.preparedQuery(AlbumSql.KEEP_ALBUM).execute(Tuple.of(album))
      .compose(kept -> kept.size() == 0 ? Future.failedFuture(DomainException.notFound())
        : tx.preparedQuery(AlbumSql.ADDABLE).execute(Tuple.of(library, (Object) byUuid.keySet().toArray(UUID[]::new))))
      .compose(found -> {
        Map<UUID, LocalDateTime> addable = new HashMap<>();
        found.forEach(r -> addable.put(r.getUUID("id"), r.getLocalDateTime("local_datetime")));
        List<UUID> assets = new ArrayList<>();
        for (String id : asked) {
          UUID u = Ids.ASSET.parse(id).orElse(null);
          if (u != null && addable.containsKey(u) && byUuid.get(u).equals(id)) {
            assets.add(u);
          }
        }
        // Time-ordered ids, sorted so that the memberships list in the order they were given
        // (ids made in the same millisecond are otherwise in random order).
        UUID[] links = assets.stream().map(a -> Ids.newUuid()).sorted().toArray(UUID[]::new);
        return tx.preparedQuery(AlbumSql.INSERT_MEMBERS)
          .execute(Tuple.tuple().addUUID(album).addArrayOfUUID(links).addArrayOfUUID(assets.toArray(UUID[]::new))
            .addArrayOfLocalDateTime(assets.stream().map(addable::get).toArray(LocalDateTime[]::new))
            .addOffsetDateTime(now))
          .compose(inserted -> {
            Set<UUID> added = new HashSet<>();
            List<Event> events = new ArrayList<>(inserted.size());
            for (Row r : inserted) {
              added.add(r.getUUID("asset_id"));
              events.add(AlbumEvents.membership(caller.userId(), library, r.getUUID("id"), album,
                r.getUUID("asset_id"), "album_asset_added", now));
            }
            List<String> addedIds = new ArrayList<>();
            List<String> duplicates = new ArrayList<>();
            List<String> notFound = new ArrayList<>();
            for (String id : asked) {
              UUID u = Ids.ASSET.parse(id).orElse(null);
              if (u == null || !addable.containsKey(u) || !byUuid.get(u).equals(id)) {
                notFound.add(id);
              } else if (added.contains(u)) {
                addedIds.add(id);
              } else {
                duplicates.add(id);
              }
            }
            return Events.recordAll(tx, events).map(new AssetsAdded(addedIds, duplicates, notFound));
          });
      }));
  }

  @Override
  public Future<Void> removeAssetsFromAlbum(Caller caller, String albumId, List<String> assetIds) {
    OffsetDateTime now = now();
    UUID[] assets = AlbumSql.uuids(Ids.ASSET, assetIds);
    return change(caller, albumId, (tx, library, album) -> tx.preparedQuery(AlbumSql.KEEP_ALBUM).execute(Tuple.of(album))
      .compose(kept -> kept.size() == 0 ? Future.failedFuture(DomainException.notFound())
        : tx.preparedQuery(AlbumSql.REMOVE_MEMBERS).execute(Tuple.of(album, (Object) assets)))
      .compose(removed -> {
        List<Event> events = new ArrayList<>(removed.size());
        for (Row r : removed) {
          events.add(AlbumEvents.membership(caller.userId(), library, r.getUUID("id"), album, r.getUUID("asset_id"),
            "album_asset_removed", now));
        }
        return Events.recordAll(tx, events);
      }));
  }

  @Override
  public Future<AlbumAssetPage> listAlbumAssets(Caller caller, AlbumFilter filter) {
    int limit = filter.limit();
    UUID nothing = new UUID(0, 0);
    UUID album = filter.albumId() == null ? null : Ids.ALBUM.parse(filter.albumId()).orElse(nothing);
    UUID asset = filter.assetId() == null ? null : Ids.ASSET.parse(filter.assetId()).orElse(nothing);
    UUID after = filter.startingAfterId() == null ? null : Ids.ALBUM_ASSET.parse(filter.startingAfterId()).orElse(nothing);
    return reads.run(c -> AssetServiceImpl.resolveLibrary(c, caller, filter.libraryId())).compose(library -> {
      AlbumSql.Query q = AlbumSql.listLinks(library, album, asset, AlbumSql.uuids(Ids.ALBUM_ASSET, filter.ids()), after,
        Pages.fetch(limit));
      return reads.run(c -> c.preparedQuery(q.sql()).execute(q.params()));
    }).map(rows -> new AlbumAssetPage(Pages.items(rows, limit, AlbumAsset::of), Pages.hasMore(rows, limit)));
  }

  @Override
  public Future<AlbumAsset> getAlbumAsset(Caller caller, String albumAssetId) {
    UUID id = Ids.ALBUM_ASSET.parse(albumAssetId).orElse(null);
    if (id == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(AlbumSql.GET_LINK).execute(Tuple.of(id, caller.userId())))
      .compose(rows -> inScope(caller, rows)).map(AlbumAsset::of);
  }

  /** A change to one album: in a transaction that holds its library live until it commits. */
  private interface Change<T> {
    Future<T> apply(SqlClient tx, UUID library, UUID album);
  }

  private <T> Future<T> change(Caller caller, String albumId, Change<T> change) {
    UUID album = Ids.ALBUM.parse(albumId).orElse(null);
    if (album == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    // Adds lock their assets in id order, as stacks do, so they should not deadlock with them; if
    // PostgreSQL still reports one, bus.DatabaseFailures answers it as a conflict to retry, on
    // either door.
    return pool.withTransaction(tx -> tx.preparedQuery(AlbumSql.LOCK_ALBUM_LIBRARY).execute(Tuple.of(album, caller.userId()))
      .compose(rows -> inScope(caller, rows))
      .compose(row -> change.apply(tx, row.getUUID("library_id"), album)));
  }

  /** A row found by id is visible only if its library is in the key's scope. */
  private static Future<Row> inScope(Caller caller, RowSet<Row> rows) {
    if (rows.size() == 0 || !caller.reaches(rows.iterator().next().getUUID("library_id"))) {
      return Future.failedFuture(DomainException.notFound());
    }
    return Future.succeededFuture(rows.iterator().next());
  }
}
