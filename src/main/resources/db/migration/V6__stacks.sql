-- Stacks: frames of one moment shown as a single tile (Gumnut's asset_stack_). A stack belongs to
-- one library and is read only while that library is live (every read joins on it), so trashing
-- or restoring a library still costs one row update.
CREATE TABLE stacks (
  id               uuid PRIMARY KEY,
  -- No cascade: the drain dissolves a library's stacks as it purges their members, before the row.
  library_id       uuid NOT NULL REFERENCES libraries,
  origin           text NOT NULL DEFAULT 'user' CHECK (origin IN ('auto_burst', 'user')),
  -- The pinned cover, or none. A trashed cover keeps its pin (Gumnut); a deleted one clears it.
  primary_asset_id uuid REFERENCES assets ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  -- Lets a member's (stack_id, library_id) reference it: a stack and its members share a library.
  UNIQUE (id, library_id)
);
CREATE INDEX stacks_library ON stacks (library_id, id);
-- For the foreign key's SET NULL when an asset is deleted, and list_stacks?primary_asset_id.
CREATE INDEX stacks_primary ON stacks (primary_asset_id) WHERE primary_asset_id IS NOT NULL;

-- Membership is a column of the asset, so an asset is in at most one stack by construction, and
-- a permanent delete of the asset takes its membership with it. The composite key keeps every
-- member in its stack's library; deleting a stack (dissolving it) frees its members.
ALTER TABLE assets ADD COLUMN stack_id uuid;
ALTER TABLE assets ADD CONSTRAINT assets_stack FOREIGN KEY (stack_id, library_id)
  REFERENCES stacks (id, library_id) ON DELETE SET NULL (stack_id);
CREATE INDEX assets_stack ON assets (stack_id, id) WHERE stack_id IS NOT NULL;
