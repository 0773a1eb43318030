-- People and faces (Gumnut's person_ and face_). Both belong to one library and are read only
-- while that library is live (every read joins on it), so trashing or restoring a library still
-- costs one row update. Faces drawn by a user are 'manual'; a detector's are 'automatic' with a
-- confidence, and clustering may leave person_id null: nothing here assumes either.
CREATE TABLE people (
  id                uuid PRIMARY KEY,
  -- No cascade: the drain deletes a library's people after its assets (and their faces), before the row.
  library_id        uuid NOT NULL REFERENCES libraries,
  name              text,
  birth_date        date,
  is_favorite       boolean NOT NULL DEFAULT false,
  is_hidden         boolean NOT NULL DEFAULT false,
  -- The chosen thumbnail; its foreign key is added below, once faces exist.
  thumbnail_face_id uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  -- Lets a face's (person_id, library_id) reference it: a face and its person share a library.
  UNIQUE (id, library_id)
);
CREATE INDEX people_library ON people (library_id, created_at, id);

CREATE TABLE faces (
  id           uuid PRIMARY KEY,
  library_id   uuid NOT NULL REFERENCES libraries,
  -- Deferred: a permanent delete removes the asset row and then, in the same transaction
  -- (asset.Purge), its faces with their events; a path that forgot the faces cannot commit.
  asset_id     uuid NOT NULL REFERENCES assets DEFERRABLE INITIALLY DEFERRED,
  person_id    uuid,
  source       text NOT NULL CHECK (source IN ('automatic', 'manual')),
  -- The box in display-space pixels of the asset (its width and height).
  x            integer NOT NULL CHECK (x >= 0),
  y            integer NOT NULL CHECK (y >= 0),
  w            integer NOT NULL CHECK (w > 0),
  h            integer NOT NULL CHECK (h > 0),
  -- A detector's score; null for manual faces.
  confidence   real CHECK (confidence BETWEEN 0 AND 1),
  -- Where in a video the face appears; null for photos.
  timestamp_ms bigint,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  -- Deleting a person leaves its faces unassigned (Gumnut).
  CONSTRAINT faces_person FOREIGN KEY (person_id, library_id)
    REFERENCES people (id, library_id) ON DELETE SET NULL (person_id)
);
CREATE INDEX faces_asset ON faces (asset_id);
CREATE INDEX faces_person ON faces (person_id, created_at, id) WHERE person_id IS NOT NULL;
CREATE INDEX faces_library ON faces (library_id, created_at, id);

-- Deferred like faces_asset: whoever deletes a face moves the thumbnails that pointed at it on
-- (person.Faces.deleted) before committing.
ALTER TABLE people ADD CONSTRAINT people_thumbnail FOREIGN KEY (thumbnail_face_id)
  REFERENCES faces DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX people_thumbnail ON people (thumbnail_face_id) WHERE thumbnail_face_id IS NOT NULL;
