package org.eucalypt.asset;

/** Every statement the asset verticle runs, in one place. */
final class AssetSql {
  private AssetSql() {
  }

  static final String COLUMNS = """
    a.id, a.library_id, a.mime_type, a.original_file_name, a.local_datetime, a.local_offset_seconds, a.width, a.height,
    a.duration, a.thumbhash, a.checksum, a.checksum_sha1, a.size_bytes, a.blob_key, a.device_asset_id, a.device_id,
    a.file_created_at, a.file_modified_at, a.trashed_at, a.created_at, a.updated_at, a.stack_id, a.edited_description,
    a.edited_latitude, a.edited_longitude""";

  /** The caller's live library of that id. */
  static final String LIVE_LIBRARY = """
    SELECT id FROM libraries WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL""";

  /** Up to two live libraries, to tell "exactly one" from "none" and "several". */
  static final String SOLE_LIVE_LIBRARY = """
    SELECT id FROM libraries
     WHERE user_id = $1 AND trashed_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2))
     ORDER BY created_at LIMIT 2""";

  /**
   * An upload without a library from an account with none live: a fresh default library, made
   * only if there still is none (under the user's row lock, so concurrent uploads make one).
   */
  static final String CREATE_DEFAULT_LIBRARY = """
    INSERT INTO libraries (id, user_id, name, created_at, updated_at)
    SELECT $1, $2, 'Default library', $3, $3
     WHERE NOT EXISTS (SELECT 1 FROM libraries WHERE user_id = $2 AND trashed_at IS NULL)
    RETURNING id""";

  /** An asset is visible only while its library is live and belongs to the caller. */
  static final String GET = "SELECT " + COLUMNS + " " + """
     FROM assets a JOIN libraries l ON l.id = a.library_id
    WHERE a.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL""";

  /**
   * What a download needs, for an asset whose library is live: the caller's own, or anyone's
   * when the download URL's signature vouches for it ($2 null).
   */
  static final String LOCATE = """
    SELECT a.library_id, a.blob_key, a.mime_type, a.size_bytes, a.checksum
      FROM assets a JOIN libraries l ON l.id = a.library_id
     WHERE a.id = $1 AND l.trashed_at IS NULL AND ($2::uuid IS NULL OR l.user_id = $2)""";

  /** What rendition tasks read from the files of these assets ({@code include=metadata}). */
  static final String FILE_METADATA = """
    SELECT asset_id, data, created_at, updated_at FROM asset_metadata WHERE asset_id = ANY($1)""";

  /** The renditions made so far of these assets ({@code include=variants}). */
  static final String RENDITIONS = """
    SELECT asset_id, variant, mime_type, width, height FROM renditions WHERE asset_id = ANY($1)""";

  /** A rendition, as {@link #LOCATE} finds an original: made, and its library live. */
  static final String LOCATE_RENDITION = """
    SELECT a.library_id, r.blob_key, r.mime_type, r.size_bytes
      FROM renditions r JOIN assets a ON a.id = r.asset_id JOIN libraries l ON l.id = a.library_id
     WHERE r.asset_id = $1 AND r.variant = $2 AND l.trashed_at IS NULL AND ($3::uuid IS NULL OR l.user_id = $3)""";

  static final String BY_CHECKSUM = "SELECT " + COLUMNS + " FROM assets a WHERE a.library_id = $1 AND a.checksum = $2";

  /**
   * Before a staged upload is moved into the store, its key is listed for deletion, far in the
   * future: if the upload never commits, the drain removes the file once the deadline passes.
   */
  static final String INTENT = "INSERT INTO blob_deletions (blob_key, not_before) VALUES ($1, $2)";

  /**
   * The upload's transaction takes its key off the list — only while the deadline is still far
   * away, so a drain that already claimed it can never remove a file that now has a row.
   */
  static final String CLAIM_INTENT = "DELETE FROM blob_deletions WHERE blob_key = $1 AND not_before > $2";

  static final String DROP_INTENT = "DELETE FROM blob_deletions WHERE blob_key = $1";

  static final String INSERT = """
    INSERT INTO assets AS a (id, library_id, mime_type, original_file_name, local_datetime, local_offset_seconds,
                        width, height, duration, checksum, checksum_sha1, size_bytes, blob_key, device_asset_id,
                        device_id, file_created_at, file_modified_at, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
    ON CONFLICT (library_id, checksum) DO NOTHING
    RETURNING\s""" + COLUMNS;

  /**
   * Counters move in the asset's transaction; a library trashed meanwhile, or one the asset
   * would take past its own limit, refuses it. The row lock makes concurrent uploads take turns,
   * so together they cannot overshoot the limit.
   */
  static final String COUNT_IN = """
    UPDATE libraries
       SET asset_count = asset_count + 1, storage_used_bytes = storage_used_bytes + $2
     WHERE id = $1 AND trashed_at IS NULL
       AND (storage_limit_bytes IS NULL OR storage_used_bytes + $2 <= storage_limit_bytes)
    RETURNING id""";

  /**
   * What the caller's account and this library may still take: the user's own limit, else the
   * server's default ($3, null = none).
   */
  static final String ROOM = """
    SELECT coalesce(u.storage_limit_bytes, $3) AS user_limit,
           (SELECT coalesce(sum(storage_used_bytes), 0) FROM libraries WHERE user_id = u.id) AS user_used,
           l.storage_limit_bytes AS library_limit, l.storage_used_bytes AS library_used
      FROM users u JOIN libraries l ON l.user_id = u.id
     WHERE u.id = $1 AND l.id = $2""";

  /**
   * Makes one user's uploads take turns in their transactions, so the account limit holds under
   * concurrency. A statement of its own: a query that waits for a lock still reads the data as it
   * was when it began, so {@link #ROOM} must run after the wait, to see the uploads before it.
   */
  static final String LOCK_USER = "SELECT id FROM users WHERE id = $1 FOR UPDATE";

  /**
   * Locks the caller's live library for a change to its assets: waits for a drain batch in
   * flight, and holds off the next while the change commits.
   */
  static final String LOCK_LIVE_LIBRARY = """
    SELECT id FROM libraries WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL FOR UPDATE""";

  /**
   * An upload's transaction holds its library, live, until it commits: a trash that arrives
   * meanwhile waits, and one that came first makes the upload a 404 rather than a 507.
   */
  static final String LOCK_LIBRARY_FOR_UPLOAD = "SELECT id FROM libraries WHERE id = $1 AND trashed_at IS NULL FOR UPDATE";

  static final String COUNT_IN_LIBRARY = """
    SELECT count(*) AS n FROM assets WHERE library_id = $1 AND id = ANY($2)""";

  static final String TRASH = """
    UPDATE assets SET trashed_at = $3, updated_at = $3
     WHERE library_id = $1 AND id = ANY($2) AND trashed_at IS NULL
    RETURNING id""";

  static final String RESTORE = """
    UPDATE assets SET trashed_at = NULL, updated_at = $3
     WHERE library_id = $1 AND id = ANY($2) AND trashed_at IS NOT NULL
    RETURNING id""";

  static final String DELETE = """
    DELETE FROM assets WHERE library_id = $1 AND id = ANY($2)
    """ + Purge.RETURNING;

  /** Empty-trash goes in bounded batches, each its own transaction, like the drain. */
  static final String DELETE_TRASHED = """
    DELETE FROM assets
     WHERE id IN (SELECT id FROM assets WHERE library_id = $1 AND trashed_at IS NOT NULL ORDER BY id LIMIT $2)
    """ + Purge.RETURNING;

  static final String COUNT_OUT = """
    UPDATE libraries
       SET asset_count = asset_count - $2, storage_used_bytes = storage_used_bytes - $3
     WHERE id = $1""";

  /** The caller's asset in a live library: where a single delete acts. */
  static final String LIBRARY_OF = """
    SELECT a.library_id FROM assets a JOIN libraries l ON l.id = a.library_id
     WHERE a.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL""";

  /** An album of the library: what an {@code album_id} filter may name. */
  static final String ALBUM_IN_LIBRARY = "SELECT 1 FROM albums WHERE id = $1 AND library_id = $2";
}
