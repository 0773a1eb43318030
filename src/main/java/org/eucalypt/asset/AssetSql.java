package org.eucalypt.asset;

/** Every statement the asset verticle runs, in one place. */
final class AssetSql {
  private AssetSql() {
  }

  static final String COLUMNS = """
    a.id, a.library_id, a.mime_type, a.original_file_name, a.local_datetime, a.width, a.height,
    a.duration, a.checksum, a.checksum_sha1, a.size_bytes, a.blob_key, a.device_asset_id, a.device_id,
    a.file_created_at, a.file_modified_at, a.trashed_at, a.created_at, a.updated_at""";

  /** The caller's live library of that id. */
  static final String LIVE_LIBRARY = """
    SELECT id FROM libraries WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL""";

  /** Up to two live libraries, to tell "exactly one" from "none" and "several". */
  static final String SOLE_LIVE_LIBRARY = """
    SELECT id FROM libraries WHERE user_id = $1 AND trashed_at IS NULL ORDER BY created_at LIMIT 2""";

  /** An asset is visible only while its library is live and belongs to the caller. */
  static final String GET = "SELECT " + COLUMNS + """
     FROM assets a JOIN libraries l ON l.id = a.library_id
    WHERE a.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL""";

  /**
   * What a download needs, for an asset whose library is live: the caller's own, or anyone's
   * when the download URL's signature vouches for it ($2 null).
   */
  static final String LOCATE = """
    SELECT a.blob_key, a.mime_type, a.size_bytes, a.checksum
      FROM assets a JOIN libraries l ON l.id = a.library_id
     WHERE a.id = $1 AND l.trashed_at IS NULL AND ($2::uuid IS NULL OR l.user_id = $2)""";

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
    INSERT INTO assets AS a (id, library_id, mime_type, original_file_name, local_datetime, width, height,
                        checksum, checksum_sha1, size_bytes, blob_key, device_asset_id, device_id,
                        file_created_at, file_modified_at, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
    ON CONFLICT (library_id, checksum) DO NOTHING
    RETURNING\s""" + COLUMNS;

  /** Counters move in the asset's transaction; a library trashed meanwhile refuses the asset. */
  static final String COUNT_IN = """
    UPDATE libraries
       SET asset_count = asset_count + 1, storage_used_bytes = storage_used_bytes + $2
     WHERE id = $1 AND trashed_at IS NULL
    RETURNING id""";
}
