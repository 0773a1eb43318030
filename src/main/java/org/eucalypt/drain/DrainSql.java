package org.eucalypt.drain;

/** Every statement the drain runs, in one place. */
final class DrainSql {
  private DrainSql() {
  }

  /**
   * Claims the most overdue trashed library no other drain holds. The row lock lasts the
   * batch's transaction: other drains skip it, and a restore waits for the batch to commit.
   */
  static final String CLAIM_LIBRARY = """
    SELECT id, user_id FROM libraries
     WHERE trashed_at IS NOT NULL AND purge_after <= $1
     ORDER BY purge_after, id
     LIMIT 1
     FOR UPDATE SKIP LOCKED""";

  static final String DELETE_ASSETS = """
    DELETE FROM assets
     WHERE id IN (SELECT id FROM assets WHERE library_id = $1 ORDER BY id LIMIT $2)
    RETURNING id, blob_key, size_bytes""";

  /**
   * Listed in the same transaction that deletes the rows, so a crash never forgets a file.
   * Due at once: if this drain dies before removing them, the next sweep does it.
   */
  static final String LIST_FOR_DELETION = """
    INSERT INTO blob_deletions (blob_key, not_before)
    SELECT unnest($1::text[]), $2
    ON CONFLICT (blob_key) DO NOTHING""";

  static final String COUNT_OUT = """
    UPDATE libraries
       SET asset_count = asset_count - $2, storage_used_bytes = storage_used_bytes - $3
     WHERE id = $1""";

  static final String HAS_ASSETS = "SELECT EXISTS (SELECT 1 FROM assets WHERE library_id = $1) AS has_assets";

  static final String DELETE_LIBRARY = "DELETE FROM libraries WHERE id = $1";

  /**
   * Takes a lease on due deletions: pushing their deadline out hides them from other drains
   * while this one removes the files. If it dies, the lease runs out and another finishes.
   */
  static final String LEASE_DELETIONS = """
    UPDATE blob_deletions SET not_before = $2
     WHERE blob_key IN (SELECT blob_key FROM blob_deletions
                         WHERE not_before <= $1
                         ORDER BY not_before
                         LIMIT $3
                         FOR UPDATE SKIP LOCKED)
    RETURNING blob_key""";

  static final String UNLIST = "DELETE FROM blob_deletions WHERE blob_key = ANY($1)";
}
