package org.eucalypt.library;

/** Every statement the library lifecycle runs, in one place. */
final class LibrarySql {
  private LibrarySql() {
  }

  static final String COLUMNS = """
    id, user_id, name, description, asset_count, storage_used_bytes, storage_limit_bytes,
    trashed_at, purge_after, created_at, updated_at""";

  static final String INSERT = """
    INSERT INTO libraries (id, user_id, name, description, storage_limit_bytes, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $6, $5, $5)
    RETURNING\s""" + COLUMNS;

  static final String GET = "SELECT " + COLUMNS + " FROM libraries WHERE id = $1 AND user_id = $2";

  static final String LIST_LIVE = "SELECT " + COLUMNS + " " + """
     FROM libraries WHERE user_id = $1 AND trashed_at IS NULL
    ORDER BY created_at, id""";

  static final String LIST_TRASHED = "SELECT " + COLUMNS + " " + """
     FROM libraries WHERE user_id = $1 AND trashed_at IS NOT NULL
    ORDER BY trashed_at DESC, id DESC""";

  static final String LIST_ALL = "SELECT " + COLUMNS + " " + """
     FROM libraries WHERE user_id = $1
    ORDER BY created_at, id""";

  /** Only the fields present change: a flag per field says whether to set it. */
  static final String UPDATE = """
    UPDATE libraries
       SET name                = CASE WHEN $3 THEN $4 ELSE name END,
           description         = CASE WHEN $5 THEN $6 ELSE description END,
           storage_limit_bytes = CASE WHEN $8 THEN $9 ELSE storage_limit_bytes END,
           updated_at          = $7
     WHERE id = $1 AND user_id = $2
    RETURNING\s""" + COLUMNS;

  /** One row, whatever the library holds. A trashed library keeps its deadline. */
  static final String TRASH = """
    UPDATE libraries
       SET trashed_at = $3, purge_after = $4, updated_at = $3
     WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL
    RETURNING id""";

  /**
   * Waits on the row lock a running drain batch holds, then sees exactly what is left; the
   * drain's next batch sees a live library and stops.
   */
  static final String RESTORE = """
    UPDATE libraries
       SET trashed_at = NULL, purge_after = NULL, updated_at = $3
     WHERE id = $1 AND user_id = $2 AND trashed_at IS NOT NULL
    RETURNING\s""" + COLUMNS;

  /** Expedite: the deadline becomes now, so the drain claims it on its next tick. */
  static final String EXPEDITE = """
    UPDATE libraries
       SET purge_after = $3, updated_at = $3
     WHERE id = $1 AND user_id = $2 AND trashed_at IS NOT NULL AND purge_after > $3
    RETURNING id""";
}
