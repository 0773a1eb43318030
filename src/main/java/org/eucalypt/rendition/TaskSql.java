package org.eucalypt.rendition;

/** Every statement of the renditions queue, in one place. */
final class TaskSql {
  private TaskSql() {
  }

  /** Where idle workers hear of new tasks (RenditionVerticle): ENQUEUE's NOTIFY, delivered at commit. */
  static final String CHANNEL = "eucalypt_tasks";

  /** Queues the tasks and, once the transaction commits, wakes the idle workers of every instance. */
  static final String ENQUEUE = """
    WITH queued AS (
      INSERT INTO tasks (id, asset_id, task_type, run_after, created_at)
      SELECT unnest($1::uuid[]), $2, unnest($3::text[]), $4, $4
      RETURNING id)
    SELECT pg_notify('eucalypt_tasks', ''), count(*) FROM queued""";

  /**
   * Takes the most overdue task no other worker holds: pending ones, and started ones whose lease
   * (or wait before a retry) is over, while attempts remain. The claim is a lease until $2; the
   * attempt count it sets is the claim's token, so a worker whose lease was taken over can no
   * longer record anything.
   */
  static final String CLAIM = """
    UPDATE tasks t
       SET status = 'started', attempts = t.attempts + 1, started_at = $1, run_after = $2
      FROM assets a
     WHERE t.id = (SELECT id FROM tasks
                    WHERE status IN ('pending', 'started') AND run_after <= $1 AND attempts < $3
                    ORDER BY run_after
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED)
       AND a.id = t.asset_id
    RETURNING t.id, t.asset_id, t.task_type, t.attempts, a.blob_key, a.mime_type""";

  /** Tasks whose workers kept dying (a decoder taking the process down with it): no more attempts. */
  static final String GIVE_UP = """
    UPDATE tasks
       SET status = 'failure', completed_at = $1,
           error_message = coalesce(error_message || '; ', '') || 'no worker finished it in ' || attempts || ' attempts'
     WHERE status = 'started' AND run_after <= $1 AND attempts >= $2""";

  /**
   * Holds the asset while its renditions are recorded: a delete of it waits for this transaction,
   * and its trigger then sees and lists what was recorded. No row: the asset is gone.
   */
  static final String LOCK_ASSET = "SELECT id FROM assets WHERE id = $1 FOR KEY SHARE";

  static final String SUCCEED = """
    UPDATE tasks SET status = 'success', completed_at = $3, result = $4
     WHERE id = $1 AND attempts = $2 AND status = 'started'
    RETURNING id""";

  static final String RETRY = """
    UPDATE tasks SET run_after = $3, error_message = $4
     WHERE id = $1 AND attempts = $2 AND status = 'started'""";

  static final String FAIL = """
    UPDATE tasks SET status = 'failure', completed_at = $3, error_message = $4
     WHERE id = $1 AND attempts = $2 AND status = 'started'""";

  /**
   * Files about to be stored are listed for deletion far in the future first, as uploads are: a
   * worker that dies before recording them leaves them to the drain's sweep, never orphaned.
   */
  static final String INTENT = "INSERT INTO blob_deletions (blob_key, not_before) SELECT unnest($1::text[]), $2";

  /** Recorded files leave the list, only while their deadline is still far (no sweep has them). */
  static final String CLAIM_INTENTS = """
    DELETE FROM blob_deletions WHERE blob_key = ANY($1) AND not_before > $2 RETURNING blob_key""";

  /**
   * Files that will not be recorded: due now, deleted straight away by the worker. Only keys still
   * listed come back, so a file that was recorded (and unlisted) can never be deleted this way.
   */
  static final String DUE_NOW = "UPDATE blob_deletions SET not_before = $2 WHERE blob_key = ANY($1) RETURNING blob_key";

  /** A variant already recorded (a worker whose lease ran out finished first) keeps its file. */
  static final String INSERT_RENDITIONS = """
    INSERT INTO renditions (asset_id, variant, blob_key, mime_type, width, height, size_bytes, created_at)
    SELECT $1, v, k, m, w, h, b, $8
      FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[]) AS x(v, k, m, w, h, b)
    ON CONFLICT (asset_id, variant) DO NOTHING
    RETURNING blob_key""";

  static final String SET_THUMBHASH = "UPDATE assets SET thumbhash = $2 WHERE id = $1";

  /** The upload's own reading of the duration wins; ffprobe fills it in where that found none. */
  static final String SET_DURATION = "UPDATE assets SET duration = coalesce(duration, $2) WHERE id = $1";

  static final String UPSERT_METADATA = """
    INSERT INTO asset_metadata (asset_id, data, created_at, updated_at) VALUES ($1, $2, $3, $3)
    ON CONFLICT (asset_id) DO UPDATE SET data = asset_metadata.data || EXCLUDED.data, updated_at = EXCLUDED.updated_at""";

  private static final String TASK_COLUMNS = """
    t.id, t.asset_id, t.task_type, t.status, t.attempts, t.error_message, t.result, t.started_at, t.completed_at,
    t.created_at, l.id AS library_id""";

  static final String LIVE_LIBRARY = "SELECT id FROM libraries WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL";

  /**
   * The caller's tasks newest first, within the key's scope ($2, null = every library), the
   * library named ($3), a status ($4) and a type ($5), if given; the index on
   * {@code (created_at, id)} serves the order.
   */
  static final String LIST = "SELECT " + TASK_COLUMNS + """
      FROM tasks t JOIN assets a ON a.id = t.asset_id JOIN libraries l ON l.id = a.library_id
     WHERE l.user_id = $1 AND l.trashed_at IS NULL
       AND ($2::uuid[] IS NULL OR l.id = ANY($2))
       AND ($3::uuid IS NULL OR l.id = $3)
       AND ($4::text IS NULL OR t.status = $4)
       AND ($5::text IS NULL OR t.task_type = $5)
     ORDER BY t.created_at DESC, t.id DESC
     LIMIT $6""";

  static final String GET = "SELECT " + TASK_COLUMNS + """
      FROM tasks t JOIN assets a ON a.id = t.asset_id JOIN libraries l ON l.id = a.library_id
     WHERE t.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL""";

  /** An asset's tasks; an asset without any gives one row with a null task id, none gives no row. */
  static final String OF_ASSET = "SELECT " + TASK_COLUMNS + """
      FROM assets a JOIN libraries l ON l.id = a.library_id LEFT JOIN tasks t ON t.asset_id = a.id
     WHERE a.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL
     ORDER BY t.created_at DESC, t.id DESC""";
}
