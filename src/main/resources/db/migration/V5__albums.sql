-- Albums (issue 16): a library's albums and their memberships ("album-assets" in Gumnut's API).
-- Like assets, albums carry no trash state of their own: every read joins on the library being
-- live, so trashing or restoring a library still touches one row. Counts, dates and the default
-- cover are computed on read from the live assets (see album.AlbumSql), so they are exact in every
-- committed state, whatever trashes, restores or purges its assets.

CREATE TABLE albums (
  id             uuid PRIMARY KEY,
  -- No cascade: the drain removes a library's albums, in batches, before the library row.
  library_id     uuid NOT NULL REFERENCES libraries,
  name           text NOT NULL,
  description    text,
  -- The cover the user chose; null: the server picks one. A member of the album (constraint below).
  cover_asset_id uuid,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
-- Lists: a library's albums, newest first.
CREATE INDEX albums_library ON albums (library_id, created_at DESC, id DESC);

CREATE TABLE album_assets (
  id         uuid PRIMARY KEY,
  -- Deleting an album takes its memberships with it; its assets stay.
  album_id   uuid NOT NULL REFERENCES albums ON DELETE CASCADE,
  -- Checked at commit: whatever deletes an asset row must delete its memberships in the same
  -- transaction (asset.Purge does, recording album_asset_removed), or the commit fails. A
  -- membership can therefore never point at an asset that is gone.
  asset_id   uuid NOT NULL REFERENCES assets DEFERRABLE INITIALLY DEFERRED,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (album_id, asset_id)
);
-- Which albums hold an asset: purges, the asset_id filters, album_filter on asset lists.
CREATE INDEX album_assets_asset ON album_assets (asset_id);

-- The chosen cover is one of the album's memberships; when that membership goes (removed, or its
-- asset purged), the album falls back to the server's pick rather than pointing at nothing.
ALTER TABLE albums ADD CONSTRAINT albums_cover_is_member
  FOREIGN KEY (id, cover_asset_id) REFERENCES album_assets (album_id, asset_id) ON DELETE SET NULL (cover_asset_id);
