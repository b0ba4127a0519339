-- After the columns exist: a UUID sub for every row that has none, then the constraints and the
-- named indexes. Names match what an inline UNIQUE would have produced, so a table created by the
-- seed's auth_server.py (email TEXT UNIQUE, sub TEXT UNIQUE) is recognised and left alone.

-- statement: backfill-sub
UPDATE auth_server_users SET sub = CAST(gen_random_uuid() AS TEXT) WHERE sub IS NULL

-- statement: sub-not-null
-- run only while information_schema says sub is nullable, so a second boot changes nothing
ALTER TABLE auth_server_users ALTER COLUMN sub SET NOT NULL

-- statement: sub-unique
CREATE UNIQUE INDEX IF NOT EXISTS auth_server_users_sub_key ON auth_server_users (sub)

-- statement: email-unique
CREATE UNIQUE INDEX IF NOT EXISTS auth_server_users_email_key ON auth_server_users (email)

-- statement: throttle-window
CREATE INDEX IF NOT EXISTS auth_login_throttle_window_idx ON auth_login_throttle (window_started_at)
