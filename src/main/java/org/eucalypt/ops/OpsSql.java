package org.eucalypt.ops;

/** The statements of the admin commands, in one place. */
final class OpsSql {
  private OpsSql() {
  }

  /**
   * Every trashed library, most overdue first, with what is left of it and what the drain has
   * taken since it was trashed (the {@code asset_deleted} events of the outbox: while a library
   * is trashed, nothing but the drain deletes its assets).
   */
  static final String TRASHED_LIBRARIES = """
    SELECT l.id, l.name, u.email, l.trashed_at, l.purge_after, l.asset_count, l.storage_used_bytes,
           l.purge_after <= $1 AS due,
           (SELECT count(*) FROM events e
             WHERE e.library_id = l.id AND e.event_type = 'asset_deleted' AND e.created_at >= l.trashed_at) AS purged
      FROM libraries l JOIN users u ON u.id = l.user_id
     WHERE l.trashed_at IS NOT NULL
     ORDER BY l.purge_after, l.id""";

  /** Assets trashed one by one whose own window is over, and files awaiting deletion. */
  static final String OTHER_BACKLOG = """
    SELECT (SELECT count(*) FROM assets a JOIN libraries l ON l.id = a.library_id
             WHERE a.trashed_at <= $1 AND l.trashed_at IS NULL) AS trashed_assets_due,
           (SELECT count(*) FROM blob_deletions WHERE not_before <= $2) AS files_due""";
}
