-- V5 (Alembic 0005_drop_messages_event): the per-message event column is gone.
ALTER TABLE messages DROP COLUMN event;
