-- One museum turn's SQL, as StoreBench drives it through the agent's repositories, for pgbench
-- (-M prepared). The statements are those of the mapper XML (UserMapper, TicketMapper,
-- ConversationMapper.ensureMuseum, MessageMapper, RunMapper) with the values the benchmark passes; keep
-- them in step when a mapper changes. Ids the repositories make in Java (UUIDs) are random 63-bit
-- numbers here. Each client is one visitor with one ticket, as in the Java run.
\set rid random(1, 9000000000000000000)
\set mu random(1, 9000000000000000000)
\set ma random(1, 9000000000000000000)

-- step 0: read the user (as UserRepository.getOrCreate when the token's claims match the stored row: one
-- SELECT, no write; the agent's user cache, on by default, skips even this). StoreBench.pgbench creates
-- the rows 'bench-pg-<client>' before the run.
BEGIN;
SELECT id, email, full_name, location, profile_photo_url, joined_date, access_permissions, stripe_customer_id, created_at
  FROM users WHERE id = 'bench-pg-' || :client_id::text;
COMMIT;

-- step 1: register the ticket, ensure its conversation, append the user message, open the run
BEGIN;
WITH inserted AS (
    INSERT INTO tickets (id, user_id, first_seen)
    VALUES ('ticket-pg-' || :client_id::text, 'bench-pg-' || :client_id::text, now())
    ON CONFLICT (id) DO NOTHING
    RETURNING user_id
)
SELECT user_id, true AS inserted FROM inserted
UNION ALL
SELECT user_id, false AS inserted FROM tickets
 WHERE id = 'ticket-pg-' || :client_id::text
   AND NOT EXISTS (SELECT 1 FROM inserted);
WITH inserted AS (
    INSERT INTO conversations (id, user_id, title, mode, created_at, updated_at)
    VALUES ('ticket-pg-' || :client_id::text, 'bench-pg-' || :client_id::text, NULL, 'museum', now(), now())
    ON CONFLICT (id) DO NOTHING
    RETURNING id, user_id, title, mode, created_at, updated_at
)
SELECT id, user_id, title, mode, created_at, updated_at FROM inserted
UNION ALL
SELECT id, user_id, title, mode, created_at, updated_at FROM conversations
 WHERE id = 'ticket-pg-' || :client_id::text
   AND user_id = 'bench-pg-' || :client_id::text
   AND NOT EXISTS (SELECT 1 FROM inserted);
UPDATE conversations
   SET updated_at = now()
 WHERE id = 'ticket-pg-' || :client_id::text
   AND user_id = 'bench-pg-' || :client_id::text
RETURNING id;
INSERT INTO messages (id, conversation_id, seq, run_id, role, tool, tool_call_id, text, created_at)
SELECT 'mu-' || :mu::text, 'ticket-pg-' || :client_id::text, COALESCE(max(seq), 0) + 1, 'run-' || :rid::text, 'user',
       NULL, NULL, 'Who painted the picture in front of me?', now()
  FROM messages
 WHERE conversation_id = 'ticket-pg-' || :client_id::text
RETURNING id, conversation_id, seq, run_id, role, tool, tool_call_id, text, feedback, created_at;
INSERT INTO runs (id, conversation_id, user_id, started_at)
VALUES ('run-' || :rid::text, 'ticket-pg-' || :client_id::text, 'bench-pg-' || :client_id::text, now())
RETURNING id, conversation_id, user_id, started_at, finished_at, model, prompt_tokens, completion_tokens, cost_usd, status, error;
COMMIT;

-- step 2: append the assistant message with its children, close the run
BEGIN;
UPDATE conversations
   SET updated_at = now()
 WHERE id = 'ticket-pg-' || :client_id::text
   AND user_id = 'bench-pg-' || :client_id::text
RETURNING id;
INSERT INTO messages (id, conversation_id, seq, run_id, role, tool, tool_call_id, text, created_at)
SELECT 'ma-' || :ma::text, 'ticket-pg-' || :client_id::text, COALESCE(max(seq), 0) + 1, 'run-' || :rid::text, 'assistant',
       NULL, NULL, 'That is The Starry Night by Vincent van Gogh, painted in June 1889 at Saint-Remy.', now()
  FROM messages
 WHERE conversation_id = 'ticket-pg-' || :client_id::text
RETURNING id, conversation_id, seq, run_id, role, tool, tool_call_id, text, feedback, created_at;
INSERT INTO message_images (message_id, title, artist, image_path, score, type)
VALUES ('ma-' || :ma::text, 'The Starry Night', 'Vincent van Gogh', '/images/starry-night.jpg', 0.93, COALESCE(NULL::text, 'artwork')),
       ('ma-' || :ma::text, 'Irises', 'Vincent van Gogh', '/images/irises.jpg', 0.71, COALESCE(NULL::text, 'artwork'));
INSERT INTO message_sources (message_id, title, uri, confidence, type)
VALUES ('ma-' || :ma::text, 'Collection catalogue', 'https://museum.example/catalogue/472', 0.82, COALESCE(NULL::text, 'document'));
INSERT INTO message_suggestions (message_id, text, sequence)
VALUES ('ma-' || :ma::text, 'When was it painted?', 0),
       ('ma-' || :ma::text, 'What else did he paint here?', 1),
       ('ma-' || :ma::text, 'Where is the next room?', 2);
UPDATE runs
   SET finished_at       = now(),
       model             = 'gemini-3.5-flash',
       prompt_tokens     = 812,
       completion_tokens = 64,
       cost_usd          = 0.00021,
       status            = 'success',
       error             = NULL
 WHERE id = 'run-' || :rid::text
   AND user_id = 'bench-pg-' || :client_id::text
RETURNING id, conversation_id, user_id, started_at, finished_at, model, prompt_tokens, completion_tokens, cost_usd, status, error;
COMMIT;
