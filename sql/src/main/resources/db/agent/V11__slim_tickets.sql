-- V11 (DAT-296): the slim ticket model. A ticket is (id, user_id, first_seen) and its conversation is the
-- row with conversations.id = tickets.id; user_ticket_mappings is gone.
--
-- Written to apply to both kinds of database that reach it:
--   * one built by this chain (V8's richer tickets, user_ticket_mappings still present);
--   * a Python-era database stamped at Alembic 0010 after DAT-296, whose tickets are already slim and
--     whose user_ticket_mappings table may already be gone.

-- No ticket is lost: an active mapping that never reached tickets (written after V8 by an older app)
-- is copied before its table goes.
DO $$
BEGIN
    IF to_regclass('user_ticket_mappings') IS NOT NULL THEN
        INSERT INTO tickets (id, user_id, first_seen)
        SELECT ticket_id, user_id, created_at
          FROM user_ticket_mappings
         WHERE active
        ON CONFLICT (id) DO NOTHING;
    END IF;
END
$$;

ALTER TABLE tickets
    DROP COLUMN IF EXISTS external_id,
    DROP COLUMN IF EXISTS last_seen,
    DROP COLUMN IF EXISTS visit_count;

DROP TABLE IF EXISTS user_ticket_mappings;
