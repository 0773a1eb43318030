-- GET /api/tasks/ lists a user's tasks newest first: walked along this index, filtered by the
-- join on live libraries, instead of sorting every task of the account.
CREATE INDEX tasks_created ON tasks (created_at DESC, id DESC);
