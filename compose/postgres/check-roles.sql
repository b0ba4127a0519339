-- What deploy.sh checks before migrating (docs/operations.md "Database roles"): one line per problem,
-- nothing when the roles are right. Read-only; any role can run it (catalogs only).
--   the three roles exist, can log in, and are not superusers; dataland_monitor is in pg_monitor;
--   every relation of public is owned by its service's role (auth_* by dataland_auth, the rest by
--   dataland_agent); neither service holds a privilege on the other's tables.
WITH want(role) AS (VALUES ('dataland_agent'), ('dataland_auth'), ('dataland_monitor')),
rel AS (
    SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner,
           CASE WHEN c.relname LIKE 'auth\_%' THEN 'dataland_auth' ELSE 'dataland_agent' END AS expected,
           CASE WHEN c.relname LIKE 'auth\_%' THEN 'dataland_agent' ELSE 'dataland_auth' END AS other
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
)
SELECT format('role %s is missing', w.role) FROM want w
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = w.role)
UNION ALL
SELECT format('role %s is a superuser', r.rolname) FROM pg_roles r JOIN want w ON w.role = r.rolname WHERE r.rolsuper
UNION ALL
SELECT format('role %s cannot log in', r.rolname) FROM pg_roles r JOIN want w ON w.role = r.rolname WHERE NOT r.rolcanlogin
UNION ALL
SELECT 'role dataland_monitor is not a member of pg_monitor'
 WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dataland_monitor')
   AND NOT pg_has_role('dataland_monitor', 'pg_monitor', 'MEMBER')
UNION ALL
SELECT format('%s is owned by %s, not %s', relname, owner, expected) FROM rel WHERE owner <> expected
UNION ALL
SELECT format('%s can be read by %s', relname, other) FROM rel
 WHERE relkind <> 'S'
   -- CASE, not AND: has_table_privilege fails on a missing role, and AND does not promise an order
   AND CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = other)
            THEN has_table_privilege(other, format('public.%I', relname), 'SELECT') ELSE false END
ORDER BY 1;
