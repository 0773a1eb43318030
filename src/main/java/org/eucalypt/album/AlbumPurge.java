package org.eucalypt.album;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What purges do to albums, in the purging transaction (which holds the library's row lock):
 * memberships go with their assets, and a purged library's albums go once its assets have.
 */
public final class AlbumPurge {
  private AlbumPurge() {
  }

  /**
   * Removes the memberships of assets being deleted for good, with an {@code album_asset_removed}
   * each. Every path that deletes asset rows calls this (asset.Purge): the key on
   * {@code album_assets.asset_id} is checked at commit and refuses any that forgets.
   */
  public static Future<Void> membershipsOf(SqlClient tx, UUID user, UUID library, List<UUID> assets, OffsetDateTime now) {
    if (assets.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(AlbumSql.REMOVE_MEMBERSHIPS_OF_ASSETS).execute(Tuple.tuple().addArrayOfUUID(assets.toArray(UUID[]::new)))
      .compose(removed -> {
        List<Event> events = new ArrayList<>(removed.size());
        for (Row r : removed) {
          events.add(AlbumEvents.membership(user, library, r.getUUID("id"), r.getUUID("album_id"),
            r.getUUID("asset_id"), "album_asset_removed", now));
        }
        return Events.recordAll(tx, events);
      });
  }

  /**
   * Deletes up to {@code limit} albums of a purged library whose assets are all gone, with an
   * {@code album_deleted} each; answers how many went.
   */
  public static Future<Integer> albumsOf(SqlClient tx, UUID user, UUID library, int limit, OffsetDateTime now) {
    return tx.preparedQuery(AlbumSql.DELETE_LIBRARY_ALBUMS).execute(Tuple.of(library, limit)).compose(deleted -> {
      List<Event> events = new ArrayList<>(deleted.size());
      for (Row r : deleted) {
        events.add(AlbumEvents.album(user, library, r.getUUID("id"), "album_deleted", now));
      }
      return Events.recordAll(tx, events).map(deleted.size());
    });
  }
}
