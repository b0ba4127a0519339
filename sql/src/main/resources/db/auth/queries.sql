-- Read-only queries the bootstrap asks before deciding what to run.

-- 8675310: auth's bootstrap key, next to the agent's 8675309 (Migrations.LOCK_KEY) but not it, so two
-- auth instances booting at once run the DDL one after the other while the agent's migrations never wait
-- on auth. Transaction-scoped: the whole bootstrap is one transaction, and the lock ends with it.
-- statement: lock
SELECT count(*) AS locked FROM (SELECT pg_advisory_xact_lock(8675310)) AS l

-- statement: columns
SELECT column_name, is_nullable FROM information_schema.columns
 WHERE table_schema = current_schema() AND table_name = 'auth_server_users'
