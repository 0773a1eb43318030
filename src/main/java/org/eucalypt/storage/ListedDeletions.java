package org.eucalypt.storage;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * How a stored file goes without ever being lost track of: it is listed in {@code blob_deletions}
 * in the same transaction that deletes its row, deleted after that commits, and unlisted only
 * once it is gone. A crash in between leaves the listing, and the drain's sweep finishes the job.
 */
public final class ListedDeletions {
  private static final Logger LOG = LoggerFactory.getLogger(ListedDeletions.class);

  private static final String LIST = """
    INSERT INTO blob_deletions (blob_key, not_before)
    SELECT unnest($1::text[]), $2
    ON CONFLICT (blob_key) DO NOTHING""";

  private static final String UNLIST = "DELETE FROM blob_deletions WHERE blob_key = ANY($1)";

  private final Pool pool;
  private final BlobStore blobs;

  public ListedDeletions(Pool pool, BlobStore blobs) {
    this.pool = pool;
    this.blobs = blobs;
  }

  /** Inside the transaction that deletes the rows: due at once, so a sweep may finish it. */
  public static Future<Void> list(SqlClient tx, List<String> keys, OffsetDateTime now) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(LIST).execute(Tuple.of(keys.toArray(String[]::new), now)).mapEmpty();
  }

  /**
   * After commit: deletes the files, then unlists the ones that went. A file that could not be
   * deleted stays listed and is retried by a later sweep.
   */
  public Future<Void> deleteListed(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    return blobs.deleteAll(keys)
      .onSuccess(gone -> {
        if (gone.size() < keys.size()) {
          LOG.warn("could not delete {} of {} stored files, will retry", keys.size() - gone.size(), keys.size());
        }
      })
      .compose(gone -> pool.preparedQuery(UNLIST).execute(Tuple.of((Object) gone.toArray(String[]::new))))
      .mapEmpty();
  }
}
