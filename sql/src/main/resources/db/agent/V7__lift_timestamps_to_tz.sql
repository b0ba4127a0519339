-- V7 (Alembic 0007_lift_timestamps_to_tz, DAT-61): every remaining created_at / updated_at becomes
-- timestamptz, the naive values read as UTC.
ALTER TABLE users
    ALTER COLUMN created_at TYPE timestamptz USING created_at AT TIME ZONE 'UTC';
ALTER TABLE conversations
    ALTER COLUMN created_at TYPE timestamptz USING created_at AT TIME ZONE 'UTC',
    ALTER COLUMN updated_at TYPE timestamptz USING updated_at AT TIME ZONE 'UTC';
ALTER TABLE user_ticket_mappings
    ALTER COLUMN created_at TYPE timestamptz USING created_at AT TIME ZONE 'UTC';
