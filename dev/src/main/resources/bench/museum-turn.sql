-- One museum turn's SQL, as StoreBench drives it through the agent's repositories, for pgbench
-- (-M prepared). The statements are those of the mapper XML (UserMapper, TicketMapper,
-- MessageMapper, RunMapper) with the values the benchmark passes; keep
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

-- step 1 (TurnRepository.beginMuseum): register the ticket and ensure its conversation, which also takes
-- the append lock (TicketMapper.registerEnsuringMuseum); append the user message opening its run
-- (MessageMapper.insertNextOpeningRun)
BEGIN;
WITH inserted AS (
    INSERT INTO tickets (id, user_id, first_seen)
    VALUES ('ticket-pg-' || :client_id::text, 'bench-pg-' || :client_id::text, now())
    ON CONFLICT (id) DO NOTHING
    RETURNING user_id
), claim AS (
    SELECT user_id, true AS inserted FROM inserted
    UNION ALL
    SELECT user_id, false AS inserted FROM tickets
     WHERE id = 'ticket-pg-' || :client_id::text
       AND NOT EXISTS (SELECT 1 FROM inserted)
), conversation AS (
    INSERT INTO conversations (id, user_id, title, mode, created_at, updated_at)
    SELECT 'ticket-pg-' || :client_id::text, 'bench-pg-' || :client_id::text, NULL::text, 'museum', now(), now()
      FROM claim
     WHERE claim.user_id = 'bench-pg-' || :client_id::text
    ON CONFLICT (id) DO UPDATE
           SET updated_at = now()
         WHERE conversations.user_id = EXCLUDED.user_id
    RETURNING id
)
SELECT user_id, inserted, EXISTS (SELECT 1 FROM conversation) AS conversation_locked FROM claim;
WITH run AS (
    INSERT INTO runs (id, conversation_id, user_id, started_at)
    VALUES ('run-' || :rid::text, 'ticket-pg-' || :client_id::text, 'bench-pg-' || :client_id::text, now())
)
INSERT INTO messages (id, conversation_id, seq, run_id, role, tool, tool_call_id, text, created_at)
SELECT 'mu-' || :mu::text, 'ticket-pg-' || :client_id::text, COALESCE(max(seq), 0) + 1, 'run-' || :rid::text, 'user',
       NULL, NULL, 'Who painted the picture in front of me?', now()
  FROM messages
 WHERE conversation_id = 'ticket-pg-' || :client_id::text
RETURNING id, conversation_id, seq, run_id, role, tool, tool_call_id, text, feedback, created_at;
COMMIT;

-- step 2 (TurnRepository.finish): close the run, which also takes the append lock; append the assistant
-- message with its children (RunMapper.closeLockingConversation, MessageMapper.insertNext)
BEGIN;
WITH conversation AS (
    UPDATE conversations
       SET updated_at = now()
     WHERE id = 'ticket-pg-' || :client_id::text
       AND user_id = 'bench-pg-' || :client_id::text
    RETURNING id
)
UPDATE runs
   SET finished_at       = now(),
       model             = 'gemini-3.5-flash',
       prompt_tokens     = 812,
       completion_tokens = 64,
       cost_usd          = 0.00021,
       status            = 'success',
       error             = NULL
  FROM conversation
 WHERE runs.id = 'run-' || :rid::text
   AND runs.user_id = 'bench-pg-' || :client_id::text
   AND runs.conversation_id = conversation.id
RETURNING runs.id, runs.conversation_id, runs.user_id, runs.started_at, runs.finished_at, runs.model,
          runs.prompt_tokens, runs.completion_tokens, runs.cost_usd, runs.status, runs.error;
WITH images AS (
    INSERT INTO message_images (message_id, title, artist, image_path, score, type)
    SELECT 'ma-' || :ma::text, i.title, i.artist, i.image_path, i.score, COALESCE(i.type, 'artwork')
      FROM unnest(ARRAY['The Starry Night', 'Irises']::text[],
                  ARRAY['Vincent van Gogh', 'Vincent van Gogh']::text[],
                  ARRAY['/images/starry-night.jpg', '/images/irises.jpg']::text[],
                  ARRAY[0.93, 0.71]::float8[],
                  ARRAY[NULL, NULL]::text[])
           WITH ORDINALITY AS i (title, artist, image_path, score, type, n)
     ORDER BY i.n
), sources AS (
    INSERT INTO message_sources (message_id, title, uri, confidence, type)
    SELECT 'ma-' || :ma::text, s.title, s.uri, s.confidence, COALESCE(s.type, 'document')
      FROM unnest(ARRAY['Collection catalogue']::text[],
                  ARRAY['https://museum.example/catalogue/472']::text[],
                  ARRAY[0.82]::float8[],
                  ARRAY[NULL]::text[])
           WITH ORDINALITY AS s (title, uri, confidence, type, n)
     ORDER BY s.n
), suggestions AS (
    INSERT INTO message_suggestions (message_id, text, sequence)
    SELECT 'ma-' || :ma::text, g.text, g.n - 1
      FROM unnest(ARRAY['When was it painted?', 'What else did he paint here?', 'Where is the next room?']::text[])
           WITH ORDINALITY AS g (text, n)
     ORDER BY g.n
)
INSERT INTO messages (id, conversation_id, seq, run_id, role, tool, tool_call_id, text, created_at)
SELECT 'ma-' || :ma::text, 'ticket-pg-' || :client_id::text, COALESCE(max(seq), 0) + 1, 'run-' || :rid::text, 'assistant',
       NULL, NULL, 'That is The Starry Night by Vincent van Gogh, painted in June 1889 at Saint-Remy.', now()
  FROM messages
 WHERE conversation_id = 'ticket-pg-' || :client_id::text
RETURNING id, conversation_id, seq, run_id, role, tool, tool_call_id, text, feedback, created_at;
COMMIT;
