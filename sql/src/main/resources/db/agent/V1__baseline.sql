-- V1 baseline: the agent's schema as SQLAlchemy's create_all built it before any migration ran
-- (the seed's Alembic 0001_baseline marker). Timestamps are still "without time zone" here: V6 and V7
-- lift them. Index and constraint names follow SQLAlchemy/PostgreSQL's defaults (ix_<table>_<column>,
-- <table>_pkey, <table>_<column>_fkey) so a Python-era database adopted at a later revision carries the
-- same names as one built by this chain.

CREATE TABLE users (
    id         text      NOT NULL,
    email      text,
    created_at timestamp NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id)
);

CREATE TABLE conversations (
    id            text      NOT NULL,
    user_id       text      NOT NULL,
    title         text,
    mode          text,
    messages_json text,
    created_at    timestamp NOT NULL DEFAULT now(),
    updated_at    timestamp NOT NULL DEFAULT now(),
    CONSTRAINT conversations_pkey PRIMARY KEY (id),
    CONSTRAINT conversations_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX ix_conversations_user_id ON conversations (user_id);

CREATE TABLE messages (
    id              text    NOT NULL,
    conversation_id text    NOT NULL,
    seq             integer NOT NULL,
    run_id          text,
    role            text    NOT NULL,
    tool            text,
    tool_call_id    text,
    text            text,
    feedback        text,
    event           text,
    created_at      timestamp,
    CONSTRAINT messages_pkey PRIMARY KEY (id),
    CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id)
);
CREATE INDEX ix_messages_conversation_id ON messages (conversation_id);
CREATE INDEX ix_messages_role ON messages (role);

-- Message children: removed with their message (the ORM's cascade="all, delete-orphan", held by the
-- database here so a plain DELETE of a message cannot leave orphans).
CREATE TABLE message_images (
    id         bigserial        NOT NULL,
    message_id text             NOT NULL,
    title      text,
    artist     text,
    image_path text,
    score      double precision,
    type       text             NOT NULL DEFAULT 'artwork',
    CONSTRAINT message_images_pkey PRIMARY KEY (id),
    CONSTRAINT message_images_message_id_fkey FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
);
CREATE INDEX ix_message_images_message_id ON message_images (message_id);

CREATE TABLE message_sources (
    id         bigserial        NOT NULL,
    message_id text             NOT NULL,
    title      text,
    uri        text,
    confidence double precision,
    type       text             NOT NULL DEFAULT 'document',
    CONSTRAINT message_sources_pkey PRIMARY KEY (id),
    CONSTRAINT message_sources_message_id_fkey FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
);
CREATE INDEX ix_message_sources_message_id ON message_sources (message_id);

CREATE TABLE message_suggestions (
    id         bigserial NOT NULL,
    message_id text      NOT NULL,
    text       text      NOT NULL,
    sequence   integer   NOT NULL DEFAULT 0,
    CONSTRAINT message_suggestions_pkey PRIMARY KEY (id),
    CONSTRAINT message_suggestions_message_id_fkey FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
);
CREATE INDEX ix_message_suggestions_message_id ON message_suggestions (message_id);

-- The pre-DAT-66 ticket model: one row per (user, ticket) claim, "active" marking the current owner.
CREATE TABLE user_ticket_mappings (
    id         bigserial NOT NULL,
    user_id    text      NOT NULL,
    ticket_id  text      NOT NULL,
    active     boolean   NOT NULL DEFAULT true,
    created_at timestamp NOT NULL DEFAULT now(),
    CONSTRAINT user_ticket_mappings_pkey PRIMARY KEY (id),
    CONSTRAINT user_ticket_mappings_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX ix_user_ticket_mappings_user_id ON user_ticket_mappings (user_id);
CREATE INDEX ix_user_ticket_mappings_ticket_id ON user_ticket_mappings (ticket_id);
