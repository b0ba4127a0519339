-- The auth server's own tables, created and patched by the auth server at every boot (no Flyway:
-- the seed's auth_server.py did this with raw DDL in _init_db()). Every statement is idempotent.
-- Statements are separated by a line '-- statement: <name>'; they run in order, in one transaction,
-- under an advisory lock (see io.dataland.auth.schema.AuthSchema).

-- statement: create-users
CREATE TABLE IF NOT EXISTS auth_server_users (
    id                 BIGSERIAL PRIMARY KEY,
    sub                TEXT,
    email              TEXT NOT NULL,
    hash               TEXT NOT NULL,
    salt               TEXT NOT NULL,
    full_name          TEXT,
    location           TEXT NOT NULL DEFAULT '',
    profile_photo_url  TEXT,
    stripe_customer_id TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
)

-- statement: create-login-throttle
-- Brute-force counters, per account (scope 'account', key = the normalised email, known or not) and
-- per client address (scope 'address'). In PostgreSQL so they hold across restarts and replicas.
CREATE TABLE IF NOT EXISTS auth_login_throttle (
    scope             TEXT NOT NULL,
    key               TEXT NOT NULL,
    failures          INTEGER NOT NULL,
    window_started_at TIMESTAMPTZ NOT NULL,
    locked_until      TIMESTAMPTZ,
    PRIMARY KEY (scope, key)
)
