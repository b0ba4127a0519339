-- V12: the foreign keys of a conversation's children are ON DELETE CASCADE, whatever they were.
--
-- Why: a database adopted from Alembic keeps the foreign keys SQLAlchemy created, and a model without
-- `ondelete=` gives plain `REFERENCES ... ` (NO ACTION), possibly under other names. Conversation delete
-- removes messages and runs and relies on the database to remove each message's images, sources and
-- suggestions; on such a database it fails with a foreign-key violation. Only V1 guaranteed the cascade.
--
-- For each (child table, column) -> parent below, every foreign key on exactly that column that
-- references that parent is dropped, whatever its name and action, and one is added under the
-- SQLAlchemy/PostgreSQL default name <table>_<column>_fkey with ON DELETE CASCADE. A key that is already
-- exactly that is left alone, so the migration changes nothing on a database built by this chain except
-- messages/runs -> conversations, which gain the cascade here (the repository still deletes them
-- explicitly; the cascade makes a plain DELETE of a conversation safe too).
--
-- The other constraints the chain assumes (V3's UNIQUE (conversation_id, seq), V4's unique lower(email))
-- are created when no equivalent exists under any name. Foreign keys to users are not touched: users are
-- never deleted, and a NO ACTION key there is what the chain has always had.
DO $$
DECLARE
    fk   record;
    want record;
    kept boolean;
BEGIN
    FOR want IN
        SELECT * FROM (VALUES
            ('message_images',      'message_id',      'messages'),
            ('message_sources',     'message_id',      'messages'),
            ('message_suggestions', 'message_id',      'messages'),
            ('messages',            'conversation_id', 'conversations'),
            ('runs',                'conversation_id', 'conversations')
        ) AS t(child, col, parent)
    LOOP
        kept := false;
        FOR fk IN
            SELECT c.conname, c.confdeltype
              FROM pg_constraint c
             WHERE c.contype = 'f'
               AND c.conrelid = to_regclass(want.child)
               AND c.confrelid = to_regclass(want.parent)
               AND c.conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                      WHERE attrelid = to_regclass(want.child) AND attname = want.col)]::smallint[]
        LOOP
            IF NOT kept AND fk.conname = want.child || '_' || want.col || '_fkey' AND fk.confdeltype = 'c' THEN
                kept := true;
            ELSE
                EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', want.child, fk.conname);
            END IF;
        END LOOP;
        IF NOT kept THEN
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%I) REFERENCES %I (id) ON DELETE CASCADE',
                           want.child, want.child || '_' || want.col || '_fkey', want.col, want.parent);
        END IF;
    END LOOP;

    -- V3: one message per (conversation, seq); any unique index on exactly those columns will do.
    -- (indkey is an int2vector, subscripted from 0)
    IF NOT EXISTS (SELECT 1 FROM pg_index i
                    WHERE i.indrelid = 'messages'::regclass AND i.indisunique AND i.indpred IS NULL
                      AND i.indexprs IS NULL AND i.indnkeyatts = 2
                      AND i.indkey[0] = (SELECT attnum FROM pg_attribute WHERE attrelid = 'messages'::regclass AND attname = 'conversation_id')
                      AND i.indkey[1] = (SELECT attnum FROM pg_attribute WHERE attrelid = 'messages'::regclass AND attname = 'seq')) THEN
        ALTER TABLE messages ADD CONSTRAINT uq_messages_conversation_id_seq UNIQUE (conversation_id, seq);
    END IF;

    -- V4: one user per e-mail, case-insensitively.
    IF NOT EXISTS (SELECT 1 FROM pg_index i
                    WHERE i.indrelid = 'users'::regclass AND i.indisunique AND i.indpred IS NULL
                      AND pg_get_indexdef(i.indexrelid) LIKE '%(lower(email))%') THEN
        CREATE UNIQUE INDEX users_email_lower_uniq ON users (lower(email));
    END IF;
END
$$;
