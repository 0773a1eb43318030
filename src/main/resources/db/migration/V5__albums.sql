-- Albums (issue 16): a library's albums and their memberships ("album-assets" in Gumnut's API).
-- Like assets, albums carry no trash state of their own: every read joins on the library being
-- live, so trashing or restoring a library still touches one row. Counts, dates and the default
-- cover are computed on read from the memberships of live assets (see album.AlbumSql), through an
-- index, so they are exact in every committed state, whatever trashes, restores or purges assets.

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
  -- Copies of the asset's state that albums show: whether it is live, and its capture wall clock.
  -- Set from the asset row (held FOR SHARE) when the membership is made, and kept in step by the
  -- trigger below, in the transaction that changes the asset, whatever path changes it.
  asset_live     boolean NOT NULL,
  local_datetime timestamp NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (album_id, asset_id)
);
-- Which albums hold an asset: purges, the asset_id filters, album_filter on asset lists.
CREATE INDEX album_assets_asset ON album_assets (asset_id);
-- An album's live assets by capture time: its first and last dates and default cover are one
-- index probe each, its count an index-only scan, however large the album.
CREATE INDEX album_assets_live_time ON album_assets (album_id, local_datetime, asset_id) WHERE asset_live;

CREATE FUNCTION follow_asset_in_albums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE album_assets SET asset_live = NEW.trashed_at IS NULL, local_datetime = NEW.local_datetime
   WHERE asset_id = NEW.id;
  RETURN NULL;
END $$;

-- A trash, a restore, or a new capture time of an asset (by any path, now or added later) moves
-- its memberships' copies in the same transaction. The asset's row lock orders this with a
-- membership being made (which holds the asset FOR SHARE): whichever comes second sees the other.
CREATE TRIGGER assets_follow_in_albums AFTER UPDATE OF trashed_at, local_datetime ON assets
  FOR EACH ROW
  WHEN ((OLD.trashed_at IS NULL) IS DISTINCT FROM (NEW.trashed_at IS NULL)
        OR OLD.local_datetime IS DISTINCT FROM NEW.local_datetime)
  EXECUTE FUNCTION follow_asset_in_albums();

-- The chosen cover is one of the album's memberships; when that membership goes (removed, or its
-- asset purged), the album falls back to the server's pick rather than pointing at nothing.
ALTER TABLE albums ADD CONSTRAINT albums_cover_is_member
  FOREIGN KEY (id, cover_asset_id) REFERENCES album_assets (album_id, asset_id) ON DELETE SET NULL (cover_asset_id);
