package org.eucalypt.drain;

import org.eucalypt.asset.Purge;

/** Every statement the drain runs, in one place. */
final class DrainSql {
  private DrainSql() {
  }

  /**
   * Claims the most overdue trashed library no other drain holds. The row lock lasts the
   * batch's transaction: other drains skip it, and a restore waits for the batch to commit.
   */
  static final String CLAIM_LIBRARY = """
    SELECT id, user_id, asset_count, storage_used_bytes FROM libraries
     WHERE trashed_at IS NOT NULL AND purge_after <= $1
     ORDER BY purge_after, id
     LIMIT 1
     FOR UPDATE SKIP LOCKED""";

  /**
   * A batch of a purged library's assets, taken in the order of its index (assets_library_time)
   * so that each batch reads its own rows and no others: the order itself does not matter.
   */
  static final String DELETE_LIBRARY_ASSETS = """
    DELETE FROM assets
     WHERE id IN (SELECT id FROM assets WHERE library_id = $1 ORDER BY local_datetime, id LIMIT $2)
    """ + Purge.RETURNING;

  /**
   * Claims a live library holding assets trashed before the cutoff, among the libraries of the
   * oldest such assets, skipping any another drain (or a request) holds.
   */
  static final String CLAIM_TRASHED_ASSETS = """
    SELECT id, user_id FROM libraries
     WHERE trashed_at IS NULL
       AND id IN (SELECT library_id FROM assets WHERE trashed_at <= $1 ORDER BY trashed_at LIMIT 1000)
     ORDER BY id
     LIMIT 1
     FOR UPDATE SKIP LOCKED""";

  /**
   * The outer {@code trashed_at} condition is checked again on the row as it is when deleted,
   * so an asset restored while this statement waited for it is kept.
   */
  static final String DELETE_TRASHED_ASSETS = """
    DELETE FROM assets
     WHERE id IN (SELECT id FROM assets WHERE library_id = $1 AND trashed_at <= $2 ORDER BY trashed_at, id LIMIT $3)
       AND trashed_at <= $2
    """ + Purge.RETURNING;

  static final String HAS_ASSETS = "SELECT EXISTS (SELECT 1 FROM assets WHERE library_id = $1) AS has_assets";

  /**
   * A library's stacks go with their last members (asset.Purge dissolves a stack left with fewer
   * than two), so none should remain here; any that did would block the library row's delete.
   */
  static final String DELETE_LIBRARY_STACKS = "DELETE FROM stacks WHERE library_id = $1";

  static final String DELETE_LIBRARY = "DELETE FROM libraries WHERE id = $1";

  /** For the metrics: trashed libraries, those due, and the assets these still hold. */
  static final String BACKLOG = """
    SELECT count(*) AS trashed,
           count(*) FILTER (WHERE purge_after <= $1) AS due,
           coalesce(sum(asset_count) FILTER (WHERE purge_after <= $1), 0)::bigint AS assets_due
      FROM libraries WHERE trashed_at IS NOT NULL""";

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
}
