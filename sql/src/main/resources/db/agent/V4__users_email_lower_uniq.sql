-- V4 (Alembic 0004_users_email_lower_uniq): one user per e-mail address, case-insensitively.
-- The rule the application keeps afterwards (see UserRepository): an address belongs to the first user
-- that presented it. Rows that already share an address keep it on the oldest row (created_at, then id);
-- the others lose it (NULL) rather than the migration failing.
UPDATE users u
   SET email = NULL
  FROM (SELECT id,
               row_number() OVER (PARTITION BY lower(email) ORDER BY created_at, id) AS rn
          FROM users
         WHERE email IS NOT NULL) ranked
 WHERE u.id = ranked.id
   AND ranked.rn > 1;

CREATE UNIQUE INDEX users_email_lower_uniq ON users (lower(email));
