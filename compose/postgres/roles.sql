-- Dataland's least-privilege database roles (issue 13, docs/operations.md "Database roles").
--
--   dataland_agent    owns every relation of the schema that is not the auth server's: the agent's tables,
--                     flyway_schema_history (and alembic_version on an adopted database); no privilege on
--                     auth_* (SELECT on auth_server_users is refused, SQLSTATE 42501)
--   dataland_auth     owns the auth server's relations (auth_server_users, its sequence, auth_login_throttle:
--                     every name starting auth_, what its boot DDL creates); no privilege on the agent's
--   dataland_monitor  member of pg_monitor for the PostgreSQL exporter; no privilege on any table
--
-- None is a superuser or may create roles or databases. Both services get USAGE and CREATE on schema
-- public and nothing else: they create their own tables (Flyway, auth's idempotent boot DDL), and on
-- PostgreSQL 15+ public grants CREATE to its owner only.
--
-- Run as a superuser with psql on the dataland database, the passwords in AGENT_DB_PASSWORD,
-- AUTH_DB_PASSWORD and MONITOR_DB_PASSWORD (compose/postgres/initdb-roles.sh on a fresh volume,
-- compose/adopt-roles.sh on an existing database). Idempotent: roles are created when missing and
-- their attributes and passwords set every time; relations owned by anyone else are handed to their
-- role (an owned sequence goes with its table); privileges granted across the line are revoked.
-- One transaction: it applies whole or not at all.

\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;

-- The passwords come from the environment (\getenv, psql 15+), so no caller puts one on a command
-- line; unset is empty, and empty is refused below.
\getenv agent_password AGENT_DB_PASSWORD
\if :{?agent_password}
\else
  \set agent_password ''
\endif
\getenv auth_password AUTH_DB_PASSWORD
\if :{?auth_password}
\else
  \set auth_password ''
\endif
\getenv monitor_password MONITOR_DB_PASSWORD
\if :{?monitor_password}
\else
  \set monitor_password ''
\endif

BEGIN;

SELECT :'agent_password' = '' OR :'auth_password' = '' OR :'monitor_password' = '' AS missing_password,
       current_user IN ('dataland_agent', 'dataland_auth', 'dataland_monitor') AS running_as_service
\gset
\if :missing_password
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: set AGENT_DB_PASSWORD, AUTH_DB_PASSWORD and MONITOR_DB_PASSWORD (none may be empty)'; END $$;
\endif
\if :running_as_service
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: run it as the superuser (POSTGRES_USER), not as a service role'; END $$;
\endif

SELECT format('CREATE ROLE %I', name)
  FROM unnest(ARRAY['dataland_agent', 'dataland_auth', 'dataland_monitor']) AS name
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name)
\gexec

ALTER ROLE dataland_agent   LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'agent_password';
ALTER ROLE dataland_auth    LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'auth_password';
-- the exporter holds one or two connections; a cap keeps a misconfigured scraper from eating the budget
ALTER ROLE dataland_monitor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 3
    PASSWORD :'monitor_password';
GRANT pg_monitor TO dataland_monitor;

-- Flyway and auth's boot DDL create tables (and indexes, sequences) in public.
GRANT USAGE, CREATE ON SCHEMA public TO dataland_agent, dataland_auth;

-- Every relation of public to its service's role. Tables first: ALTER TABLE ... OWNER takes the table's
-- indexes and owned (serial) sequences along; a sequence linked to a table cannot change owner on its own.
SELECT format('ALTER %s public.%I OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
              c.relname, o.owner)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (SELECT CASE WHEN c.relname LIKE 'auth\_%' THEN 'dataland_auth' ELSE 'dataland_agent' END AS owner) o
 WHERE n.nspname = 'public'
   AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
   AND pg_get_userbyid(c.relowner) <> o.owner
   AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                           AND d.deptype IN ('a', 'i')))
 ORDER BY c.relkind = 'S', c.relname
\gexec

-- Nothing across the line: not PUBLIC, not the other service, not the monitor (pg_monitor reads
-- statistics, never rows). The owner keeps its own privileges.
SELECT format('REVOKE ALL ON %s public.%I FROM PUBLIC, %I, dataland_monitor',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.relname,
              CASE WHEN c.relname LIKE 'auth\_%' THEN 'dataland_agent' ELSE 'dataland_auth' END)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public'
   AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
   AND c.relacl IS NOT NULL
 ORDER BY c.relname
\gexec

COMMIT;

\echo 'roles.sql: dataland_agent, dataland_auth and dataland_monitor are in place; every relation of public has its owner'
