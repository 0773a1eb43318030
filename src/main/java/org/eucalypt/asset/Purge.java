package org.eucalypt.asset;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.album.AlbumPurge;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;
import org.eucalypt.person.Faces;
import org.eucalypt.stack.Membership;
import org.eucalypt.storage.ListedDeletions;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one way asset rows are deleted for good, shared by the drain and by permanent deletes:
 * in the caller's transaction, which holds the library's row lock, delete the rows a statement
 * picks (ending in {@link #RETURNING}), list their files for deletion, lower the
 * library's counters, remove the assets' album memberships (with {@code album_asset_removed}),
 * record an {@code asset_deleted} event for each, and settle the stacks they were in (a stack left
 * with fewer than two members dissolves; see {@link Membership}), and delete their faces (see
 * {@link Faces}).
 */
public final class Purge {
  /**
   * What every delete statement given to {@link #assets} returns. With each asset, its rendition
   * files: the {@code BEFORE DELETE} trigger on assets lists them (and removes their rows) in the
   * same transaction, whatever path deletes the asset; returned here, they are deleted right after
   * the commit like the original, instead of waiting for the drain's sweep. The statement's own
   * snapshot still sees the rows its trigger removed; a rendition a worker committed while the
   * delete waited for the row is not in it, but the trigger listed it, and the sweep takes it.
   */
  public static final String RETURNING = """
    RETURNING id, blob_key, size_bytes, stack_id,
              (SELECT coalesce(array_agg(r.blob_key), '{}') FROM renditions r WHERE r.asset_id = assets.id) AS rendition_keys""";

  private Purge() {
  }

  /**
   * Answers the ids deleted; their files' keys are added to {@code keys}, for
   * {@link ListedDeletions#deleteListed} once the transaction has committed.
   */
  public static Future<List<UUID>> assets(SqlClient tx, UUID user, UUID library, String deleteSql, Tuple params,
                                          OffsetDateTime now, List<String> keys) {
    return tx.preparedQuery(deleteSql).execute(params).compose(deleted -> {
      List<UUID> ids = new ArrayList<>(deleted.size());
      List<Event> events = new ArrayList<>(deleted.size());
      Map<UUID, List<UUID>> stacks = new HashMap<>();
      long bytes = 0;
      for (Row r : deleted) {
        UUID stack = r.getUUID("stack_id");
        if (stack != null) {
          stacks.computeIfAbsent(stack, s -> new ArrayList<>()).add(r.getUUID("id"));
        }
        ids.add(r.getUUID("id"));
        keys.add(r.getString("blob_key"));
        keys.addAll(List.of(r.getArrayOfStrings("rendition_keys")));
        bytes += r.getLong("size_bytes");
        events.add(Event.asset(user, library, Ids.ASSET.format(r.getUUID("id")), "asset_deleted", now));
      }
      if (ids.isEmpty()) {
        return Future.succeededFuture(ids);
      }
      long freed = bytes;
      return ListedDeletions.list(tx, keys, now)
        .compose(v -> tx.preparedQuery(AssetSql.COUNT_OUT).execute(Tuple.of(library, ids.size(), freed)))
        // Their memberships go too, each with its event, before the assets' own.
        .compose(v -> AlbumPurge.membershipsOf(tx, user, library, ids, now))
        .compose(v -> Events.recordAll(tx, events))
        .compose(v -> Membership.afterAssetsDeleted(tx, user, library, stacks, now))
        .compose(v -> Faces.afterAssetsDeleted(tx, user, library, ids, now))
        .map(ids);
    });
  }
}
