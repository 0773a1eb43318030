package org.eucalypt.asset;

/** The statements of asset edits ({@code update_asset}, {@code bulk_update_assets}) and {@code check_existence}. */
final class AssetEditSql {
  private AssetEditSql() {
  }

  /**
   * The assets an edit may touch: the caller's, live, in a live library. Locked in id order, so
   * two bulk edits over the same assets take turns instead of deadlocking; the library is held
   * shared, so a trash of it or a drain batch waits for the edit and an edit waits for them.
   */
  static final String LOCK_EDITABLE = """
    SELECT a.id, a.library_id FROM assets a JOIN libraries l ON l.id = a.library_id
     WHERE a.id = ANY($1) AND l.user_id = $2 AND l.trashed_at IS NULL AND a.trashed_at IS NULL
     ORDER BY a.id
       FOR UPDATE OF a FOR SHARE OF l""";

  /**
   * One asset's change. $2, $4, $7: whether description, position, capture time were given; a
   * given null clears. Capture time: local_datetime holds the edited time (lists sort by it), and
   * the first edit moves the file's own time to file_local_*; clearing moves it back. Every right
   * side reads the row as it was, so the order of the assignments does not matter.
   */
  static final String UPDATE = """
    UPDATE assets SET
      edited_description = CASE WHEN $2 THEN $3 ELSE edited_description END,
      edited_latitude = CASE WHEN $4 THEN $5 ELSE edited_latitude END,
      edited_longitude = CASE WHEN $4 THEN $6 ELSE edited_longitude END,
      local_datetime = CASE WHEN NOT $7 THEN local_datetime
                            WHEN $8::timestamp IS NOT NULL THEN $8::timestamp
                            ELSE coalesce(file_local_datetime, local_datetime) END,
      local_offset_seconds = CASE WHEN NOT $7 THEN local_offset_seconds
                                  WHEN $8::timestamp IS NOT NULL THEN $9::integer
                                  WHEN file_local_datetime IS NOT NULL THEN file_local_offset_seconds
                                  ELSE local_offset_seconds END,
      file_local_datetime = CASE WHEN NOT $7 THEN file_local_datetime
                                 WHEN $8::timestamp IS NOT NULL THEN coalesce(file_local_datetime, local_datetime)
                                 ELSE NULL END,
      file_local_offset_seconds = CASE WHEN NOT $7 THEN file_local_offset_seconds
                                       WHEN $8::timestamp IS NULL THEN NULL
                                       WHEN file_local_datetime IS NOT NULL THEN file_local_offset_seconds
                                       ELSE local_offset_seconds END,
      updated_at = $10
     WHERE id = $1""";

  private static final String LITE = """
    SELECT a.id, a.checksum, a.checksum_sha1, a.device_asset_id, a.device_id FROM assets a WHERE a.library_id = $1""";

  /** Trashed assets count: their bytes are still held, and a restore brings them back. */
  static final String EXISTING_BY_CHECKSUM = LITE + " AND a.checksum = ANY($2) ORDER BY a.id";

  static final String EXISTING_BY_SHA1 = LITE + " AND a.checksum_sha1 = ANY($2) ORDER BY a.id";

  static final String EXISTING_BY_DEVICE = LITE + " AND a.device_id = $2 AND a.device_asset_id = ANY($3) ORDER BY a.id";
}
