package org.eucalypt.event;

/** Every statement about reading events, in one place. */
final class EventSql {
  private EventSql() {
  }

  static final String COLUMNS = "id, user_id, library_id, entity_type, entity_id, event_type, payload, created_at";

  /**
   * A library whose feed the caller may read: one of theirs with events, live, trashed or
   * already purged (a library's events outlive its row).
   */
  static final String HAS_FEED = "SELECT EXISTS (SELECT 1 FROM events WHERE library_id = $1 AND user_id = $2) AS known";

  static final String SOLE_LIVE_LIBRARY = """
    SELECT id FROM libraries
     WHERE user_id = $1 AND trashed_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2))
     ORDER BY created_at LIMIT 2""";

  static final String FEED = "SELECT " + COLUMNS + " FROM events " + """
     WHERE library_id = $1 AND user_id = $2 AND id > $3
       AND ($4::timestamptz IS NULL OR created_at >= $4)
       AND ($5::timestamptz IS NULL OR created_at < $5)
       AND ($6::text[] IS NULL OR entity_type = ANY($6))
     ORDER BY id
     LIMIT $7""";

  static final String LAST_ID = "SELECT coalesce(max(id), 0) AS last FROM events";

  static final String AFTER = "SELECT " + COLUMNS + " FROM events WHERE id > $1 ORDER BY id LIMIT $2";
}
