-- V3 (Alembic 0003_messages_conv_seq_uniq): seq is unique within a conversation.
-- A conversation that already holds a repeated seq is renumbered 1..n in its existing order
-- (seq, then created_at, then id); conversations without a repeat are left exactly as they are.
UPDATE messages m
   SET seq = ranked.rn
  FROM (SELECT id,
               row_number() OVER (PARTITION BY conversation_id ORDER BY seq, created_at NULLS FIRST, id) AS rn
          FROM messages
         WHERE conversation_id IN (SELECT conversation_id
                                     FROM messages
                                    GROUP BY conversation_id, seq
                                   HAVING count(*) > 1)) ranked
 WHERE m.id = ranked.id
   AND m.seq <> ranked.rn;

ALTER TABLE messages ADD CONSTRAINT uq_messages_conversation_id_seq UNIQUE (conversation_id, seq);
