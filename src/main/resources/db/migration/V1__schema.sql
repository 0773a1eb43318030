-- eucalypt's schema. Ids are UUIDs here; the API shows them with a type prefix (lib_, asset_, ...).

CREATE TABLE users (
  id                  uuid PRIMARY KEY,
  email               text NOT NULL UNIQUE,
  first_name          text,
  last_name           text,
  is_active           boolean NOT NULL DEFAULT true,
  is_superuser        boolean NOT NULL DEFAULT false,
  is_verified         boolean NOT NULL DEFAULT true,
  storage_limit_bytes bigint CHECK (storage_limit_bytes >= 0),
  timezone            text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Only a hash of each key's secret is kept. Secrets are 256 random bits, so SHA-256 is enough:
-- there is nothing to brute-force that a slow hash would protect.
CREATE TABLE api_keys (
  id                 uuid PRIMARY KEY,
  user_id            uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  name               text NOT NULL,
  secret_sha256      bytea NOT NULL UNIQUE,
  actions            text[] NOT NULL,
  library_scope_mode text NOT NULL DEFAULT 'all_libraries'
                     CHECK (library_scope_mode IN ('all_libraries', 'selected_libraries')),
  is_active          boolean NOT NULL DEFAULT true,
  last_used_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);

-- A library carries its own trash state, so trashing or restoring one costs one row update
-- whatever its size: assets are never touched, and every asset query joins on the library.
CREATE TABLE libraries (
  id                  uuid PRIMARY KEY,
  user_id             uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  name                text NOT NULL,
  description         text,
  asset_count         bigint NOT NULL DEFAULT 0 CHECK (asset_count >= 0),
  storage_used_bytes  bigint NOT NULL DEFAULT 0 CHECK (storage_used_bytes >= 0),
  storage_limit_bytes bigint CHECK (storage_limit_bytes >= 0),
  trashed_at          timestamptz,
  purge_after         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((trashed_at IS NULL) = (purge_after IS NULL))
);
CREATE INDEX libraries_user ON libraries (user_id, created_at, id);
-- What the drain claims: trashed libraries by deadline.
CREATE INDEX libraries_due ON libraries (purge_after, id) WHERE trashed_at IS NOT NULL;

CREATE TABLE api_key_libraries (
  api_key_id uuid NOT NULL REFERENCES api_keys ON DELETE CASCADE,
  library_id uuid NOT NULL REFERENCES libraries ON DELETE CASCADE,
  PRIMARY KEY (api_key_id, library_id)
);

CREATE TABLE assets (
  id                 uuid PRIMARY KEY,
  -- No cascade: an asset row goes only together with its stored file (the drain, a delete).
  library_id         uuid NOT NULL REFERENCES libraries,
  mime_type          text NOT NULL,
  original_file_name text NOT NULL,
  local_datetime     timestamptz NOT NULL,
  width              integer,
  height             integer,
  duration           double precision,
  checksum           bytea NOT NULL,
  checksum_sha1      bytea NOT NULL,
  size_bytes         bigint NOT NULL CHECK (size_bytes >= 0),
  blob_key           text NOT NULL UNIQUE,
  device_asset_id    text,
  device_id          text,
  file_created_at    timestamptz,
  file_modified_at   timestamptz,
  trashed_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assets_library_time ON assets (library_id, local_datetime, id);
CREATE INDEX assets_library_trashed ON assets (library_id, trashed_at, id) WHERE trashed_at IS NOT NULL;
-- Dedup by content within a library; unique, so concurrent uploads of the same bytes make one row.
CREATE UNIQUE INDEX assets_library_checksum ON assets (library_id, checksum);

-- Stored files that must go. A file is listed here in the same transaction that deletes its row
-- (or before an upload puts it in place), and unlisted only after the file is gone, so a crash
-- at any point leaves a row to finish the job and never a file nobody knows about.
CREATE TABLE blob_deletions (
  blob_key   text PRIMARY KEY,
  not_before timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX blob_deletions_due ON blob_deletions (not_before);

-- The outbox: every change writes its event in its own transaction.
CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  user_id     uuid NOT NULL,
  library_id  uuid,
  entity_type text NOT NULL,
  entity_id   text NOT NULL,
  event_type  text NOT NULL,
  payload     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_library ON events (library_id, id);

-- Secrets every instance must share, such as the key that signs download URLs.
CREATE TABLE server_secrets (
  name  text PRIMARY KEY,
  value bytea NOT NULL
);
