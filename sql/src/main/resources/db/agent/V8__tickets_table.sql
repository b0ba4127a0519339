-- V8 (Alembic 0008_tickets_table, DAT-66): one row per museum ticket, owned by one user.
-- Backfilled from the active user_ticket_mappings rows (V2 guarantees at most one per ticket), so every
-- ticket a user holds today is still theirs afterwards.
CREATE TABLE tickets (
    id          text        NOT NULL,
    user_id     text        NOT NULL,
    external_id text,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz,
    visit_count integer     NOT NULL DEFAULT 1,
    CONSTRAINT tickets_pkey PRIMARY KEY (id),
    CONSTRAINT tickets_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX ix_tickets_user_id ON tickets (user_id);

INSERT INTO tickets (id, user_id, external_id, first_seen, last_seen, visit_count)
SELECT ticket_id, user_id, ticket_id, created_at, created_at, 1
  FROM user_ticket_mappings
 WHERE active
ON CONFLICT (id) DO NOTHING;
