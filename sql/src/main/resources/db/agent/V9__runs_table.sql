-- V9 (Alembic 0009_runs_table, DAT-65): one row per agent invocation. messages.run_id keeps pointing at
-- runs.id without a foreign key, so messages older than this table are not blocked.
CREATE TABLE runs (
    id                text        NOT NULL,
    conversation_id   text        NOT NULL,
    user_id           text        NOT NULL,
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    model             text,
    prompt_tokens     integer,
    completion_tokens integer,
    cost_usd          double precision,
    status            text,
    error             text,
    CONSTRAINT runs_pkey PRIMARY KEY (id),
    CONSTRAINT runs_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id),
    CONSTRAINT runs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX ix_runs_conversation_id ON runs (conversation_id);
CREATE INDEX ix_runs_user_id ON runs (user_id);
