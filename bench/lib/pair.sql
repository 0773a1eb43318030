-- One trash + restore pair, as the server runs them: per endpoint call one transaction with the
-- UPDATE (library/LibrarySql.TRASH / RESTORE), then the outbox (event/Events.record): the commit-
-- order lock with the NOTIFY, and the INSERT of the event. Each client works on a library of its
-- own (library n has the id lpad(to_hex(n), 32, '0')), so every call changes a row.
\set lib :client_id + :base
BEGIN;
UPDATE libraries
   SET trashed_at = now(), purge_after = now() + interval '90 days', updated_at = now()
 WHERE id = lpad(to_hex(:lib::int), 32, '0')::uuid AND user_id = :uid AND trashed_at IS NULL
RETURNING id;
SELECT pg_advisory_xact_lock(8315), pg_notify('eucalypt_events', '');
INSERT INTO events (user_id, library_id, entity_type, entity_id, event_type, payload, created_at)
VALUES (:uid, lpad(to_hex(:lib::int), 32, '0')::uuid, 'library', 'lib_bench', 'library_trashed', '{}', now());
COMMIT;
BEGIN;
UPDATE libraries
   SET trashed_at = NULL, purge_after = NULL, updated_at = now()
 WHERE id = lpad(to_hex(:lib::int), 32, '0')::uuid AND user_id = :uid AND trashed_at IS NOT NULL
RETURNING id, user_id, name, description, asset_count, storage_used_bytes, storage_limit_bytes,
          trashed_at, purge_after, created_at, updated_at;
SELECT pg_advisory_xact_lock(8315), pg_notify('eucalypt_events', '');
INSERT INTO events (user_id, library_id, entity_type, entity_id, event_type, payload, created_at)
VALUES (:uid, lpad(to_hex(:lib::int), 32, '0')::uuid, 'library', 'lib_bench', 'library_restored', '{}', now());
COMMIT;
