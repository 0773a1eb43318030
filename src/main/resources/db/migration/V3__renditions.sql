-- Renditions (issue 17): the queue of background work on assets, the files it made, and what it
-- read from them.

-- Base64 ThumbHash of the picture (a video's still); null until its task has run.
ALTER TABLE assets ADD COLUMN thumbhash text;

-- The queue. Claimed with FOR UPDATE SKIP LOCKED by every instance's workers; a claim is a lease
-- (run_after moves to its end), so a task whose worker died is taken again once it runs out.
-- Tasks hold no files, so they simply go with their asset.
CREATE TABLE tasks (
  id            uuid PRIMARY KEY,
  asset_id      uuid NOT NULL REFERENCES assets ON DELETE CASCADE,
  -- Gumnut's TaskResponse.task_type names.
  task_type     text NOT NULL CHECK (task_type IN
                  ('display_proxy_generation', 'video_thumbnail_extract', 'video_metadata_extract')),
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'started', 'success', 'failure')),
  -- Claims so far; each one after the first is a retry (after a failure, or of a lost worker's lease).
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- pending: due from then; started: the claim's lease, or the next retry, ends then.
  run_after     timestamptz NOT NULL,
  error_message text,
  result        text,
  started_at    timestamptz,
  completed_at  timestamptz,
  created_at    timestamptz NOT NULL
);
CREATE INDEX tasks_due ON tasks (run_after) WHERE status IN ('pending', 'started');
CREATE INDEX tasks_asset ON tasks (asset_id, created_at, id);

-- Each variant's file. The key is stored through the blob store like an original's.
CREATE TABLE renditions (
  asset_id    uuid NOT NULL REFERENCES assets,
  -- Its asset_urls key: thumbnail, small, preview, fullsize; a video's: thumbnail_image, ...
  variant     text NOT NULL,
  blob_key    text NOT NULL UNIQUE,
  mime_type   text NOT NULL,
  width       integer NOT NULL CHECK (width > 0),
  height      integer NOT NULL CHECK (height > 0),
  size_bytes  bigint NOT NULL CHECK (size_bytes >= 0),
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (asset_id, variant)
);

-- MetadataResponse's fields as the file gave them (camera, exposure, times, GPS, ...).
CREATE TABLE asset_metadata (
  asset_id   uuid PRIMARY KEY REFERENCES assets ON DELETE CASCADE,
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- However an asset row is deleted (the drain's batches, a permanent delete, empty-trash, the
-- retention purge, or any path added later), its rendition files are listed for deletion in that
-- same transaction, and the drain's sweep removes them. A BEFORE trigger, because it runs once
-- the row is locked: a worker that stored renditions holds a key-share lock on the asset until
-- it commits, and each statement here takes a fresh snapshot, so it sees those renditions too.
-- A worker that comes second finds the asset gone and deletes its own files (RenditionWorker).
CREATE FUNCTION list_renditions_of_deleted_asset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO blob_deletions (blob_key, not_before)
  SELECT blob_key, now() FROM renditions WHERE asset_id = OLD.id
  ON CONFLICT (blob_key) DO NOTHING;
  DELETE FROM renditions WHERE asset_id = OLD.id;
  RETURN OLD;
END $$;

CREATE TRIGGER assets_list_renditions BEFORE DELETE ON assets
  FOR EACH ROW EXECUTE FUNCTION list_renditions_of_deleted_asset();

-- Assets uploaded before this migration get their renditions too.
INSERT INTO tasks (id, asset_id, task_type, run_after, created_at)
SELECT gen_random_uuid(), a.id, k.task_type, now(), now()
  FROM assets a
  CROSS JOIN LATERAL (VALUES ('display_proxy_generation'), ('video_thumbnail_extract'), ('video_metadata_extract'))
       AS k(task_type)
 WHERE (a.mime_type LIKE 'image/%' AND k.task_type = 'display_proxy_generation')
    OR (a.mime_type LIKE 'video/%' AND k.task_type <> 'display_proxy_generation');
