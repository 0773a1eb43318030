-- Asset edits (update_asset, bulk_update_assets) and the existence check (check_existence).
--
-- An edit is kept apart from what the file said, so an explicit null (clearing it) goes back to
-- the file's value. Description and position live in edited_* columns, shown over the file's
-- metadata (asset_metadata.data). Capture time is different: local_datetime is what lists sort,
-- filter and count by, on its index, so it holds the edited time while there is one, and the
-- upload's own value waits in file_local_* until the edit is cleared. file_local_datetime set
-- means "edited"; its offset may be null (a naive capture time, as local_offset_seconds may).
-- New nullable columns without defaults: no table rewrite.
ALTER TABLE assets
  ADD COLUMN edited_description text,
  ADD COLUMN edited_latitude double precision CHECK (edited_latitude BETWEEN -90 AND 90),
  ADD COLUMN edited_longitude double precision CHECK (edited_longitude BETWEEN -180 AND 180),
  ADD COLUMN file_local_datetime timestamp,
  ADD COLUMN file_local_offset_seconds integer CHECK (file_local_offset_seconds BETWEEN -64800 AND 64800),
  -- A position is both coordinates or neither, as the API sets and clears them.
  ADD CONSTRAINT assets_edited_position CHECK ((edited_latitude IS NULL) = (edited_longitude IS NULL)),
  ADD CONSTRAINT assets_file_local_offset CHECK (file_local_datetime IS NOT NULL OR file_local_offset_seconds IS NULL);

-- check_existence by SHA-1 and by device ids, within one library (SHA-256 has assets_library_checksum).
CREATE INDEX assets_library_sha1 ON assets (library_id, checksum_sha1);
CREATE INDEX assets_library_device ON assets (library_id, device_id, device_asset_id);
