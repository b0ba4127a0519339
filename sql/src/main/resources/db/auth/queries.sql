-- Read-only queries the bootstrap asks before deciding what to run.

-- The bootstrap's transaction-level advisory lock; the key is io.dataland.kit.db.AdvisoryLocks.AUTH_BOOTSTRAP.
-- statement: lock
SELECT count(*) AS locked FROM (SELECT pg_advisory_xact_lock(?)) AS l

-- statement: columns
SELECT column_name, is_nullable FROM information_schema.columns
 WHERE table_schema = current_schema() AND table_name = 'auth_server_users'
