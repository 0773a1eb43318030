-- GET /api/libraries/{id}: the one statement the endpoint runs (library/LibrarySql.GET); the
-- caller's principal is cached in the server, so no auth lookup hits the database.
SELECT id, user_id, name, description, asset_count, storage_used_bytes, storage_limit_bytes,
       trashed_at, purge_after, created_at, updated_at
  FROM libraries WHERE id = :lib AND user_id = :uid;
