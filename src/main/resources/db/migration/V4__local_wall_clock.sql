-- local_datetime becomes what Gumnut means by it: the wall clock where the photo was taken
-- (timestamp without zone), plus that clock's UTC offset in seconds when known (null: unknown,
-- as for EXIF times without OffsetTimeOriginal). Rows so far were kept as UTC instants: their
-- wall clock is the UTC one, at a known offset of 0. One statement, so the table is rewritten
-- once; assets_library_time is rebuilt on the new column and still serves lists, which sort by
-- the wall clock.
ALTER TABLE assets
  ALTER COLUMN local_datetime TYPE timestamp USING local_datetime AT TIME ZONE 'UTC',
  -- ±18 hours, as java.time allows; list filters rely on the bound to use the index.
  ADD COLUMN local_offset_seconds integer DEFAULT 0 CHECK (local_offset_seconds BETWEEN -64800 AND 64800);
ALTER TABLE assets ALTER COLUMN local_offset_seconds DROP DEFAULT;
