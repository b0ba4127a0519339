-- Columns that arrived after the first shape of auth_server_users (id, email, hash, salt,
-- created_at). Each runs only when information_schema.columns says the column is missing.
-- Statements are separated by a line '-- column: <column name>'.

-- column: sub
ALTER TABLE auth_server_users ADD COLUMN sub TEXT

-- column: full_name
ALTER TABLE auth_server_users ADD COLUMN full_name TEXT

-- column: location
ALTER TABLE auth_server_users ADD COLUMN location TEXT NOT NULL DEFAULT ''

-- column: profile_photo_url
ALTER TABLE auth_server_users ADD COLUMN profile_photo_url TEXT

-- column: stripe_customer_id
ALTER TABLE auth_server_users ADD COLUMN stripe_customer_id TEXT

-- column: created_at
ALTER TABLE auth_server_users ADD COLUMN created_at TIMESTAMPTZ NOT NULL DEFAULT now()
