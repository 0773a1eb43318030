-- GET /api/assets?library_id=...&limit=N: the library check (asset/AssetSql.LIVE_LIBRARY), then
-- the page as asset/AssetQuery.list builds it (N + 1 rows, to know has_more; run.sh passes
-- -D fetch=N+1); each its own statement outside a transaction, as the server runs them.
SELECT id FROM libraries WHERE id = :lib AND user_id = :uid AND trashed_at IS NULL;
SELECT a.id, a.library_id, a.mime_type, a.original_file_name, a.local_datetime, a.local_offset_seconds,
       a.width, a.height, a.duration, a.checksum, a.checksum_sha1, a.size_bytes, a.blob_key, a.device_asset_id, a.device_id,
       a.file_created_at, a.file_modified_at, a.trashed_at, a.created_at, a.updated_at
  FROM assets a WHERE a.library_id = :lib AND a.trashed_at IS NULL
 ORDER BY a.local_datetime DESC, a.id DESC LIMIT :fetch;
