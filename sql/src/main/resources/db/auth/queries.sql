-- Read-only queries the bootstrap asks before deciding what to run.

-- statement: lock
SELECT count(*) AS locked FROM (SELECT pg_advisory_xact_lock(8675310)) AS l

-- statement: columns
SELECT column_name, is_nullable FROM information_schema.columns
 WHERE table_schema = current_schema() AND table_name = 'auth_server_users'
