-- V6 (Alembic 0006_messages_created_at_tz): messages.created_at becomes timestamptz. The naive values
-- were written as UTC (the app's _utcnow), so they are read as UTC, whatever the session's TimeZone.
ALTER TABLE messages
    ALTER COLUMN created_at TYPE timestamptz USING created_at AT TIME ZONE 'UTC';
