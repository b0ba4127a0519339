-- V2 (Alembic 0002_utm_active_uniq): at most one active mapping per ticket.
-- A database that already holds several active rows for one ticket keeps the newest one active
-- (latest created_at, then highest id) and deactivates the others, so the index can be built.
UPDATE user_ticket_mappings u
   SET active = false
  FROM (SELECT id,
               row_number() OVER (PARTITION BY ticket_id ORDER BY created_at DESC, id DESC) AS rn
          FROM user_ticket_mappings
         WHERE active) ranked
 WHERE u.id = ranked.id
   AND ranked.rn > 1;

CREATE UNIQUE INDEX utm_active_uniq ON user_ticket_mappings (ticket_id) WHERE active;
