-- Rows in every table of both services for BackupRestoreRoundTripTest, after the agent's Flyway
-- chain and the auth server's bootstrap DDL have built the schema. Awkward values on purpose: NULLs,
-- quotes, newlines, backslashes, non-ASCII text, fractional timestamps with zones, doubles.
-- BackupRestoreRoundTripTest fails when a table of the schema gets no row here.

INSERT INTO users (id, email, created_at, full_name, location, profile_photo_url, joined_date, access_permissions, stripe_customer_id)
VALUES ('sub-ada', 'ada@example.org', '2026-11-01 09:15:30.123456+00', 'Ada O''Brien', 'Zürich', 'https://img.example/ada.png',
        '2025-03-02 10:00:00+01', '["museum","staff"]', 'cus_123'),
       ('sub-bo', NULL, '2026-11-02 23:59:59.999999+00', NULL, NULL, NULL, NULL, NULL, NULL),
       ('sub-chen', 'chen@example.org', now(), '陈 静', 'Taipei', NULL, NULL, '[]', NULL);

INSERT INTO conversations (id, user_id, title, mode, messages_json, created_at, updated_at)
VALUES ('ticket-0001', 'sub-ada', 'Museum visit', 'museum', NULL, '2026-11-01 10:00:00+00', '2026-11-01 10:05:00+00'),
       ('7d3f0c52-9a55-4c38-b3f0-0d1f5a9e1c11', 'sub-bo', E'Line one\nline "two" \\ back', 'general', '[{"role":"user"}]', now(), now()),
       ('6a1e2b44-0000-4000-8000-000000000001', 'sub-chen', NULL, 'general', NULL, now(), now());

INSERT INTO tickets (id, user_id, first_seen)
VALUES ('ticket-0001', 'sub-ada', '2026-11-01 10:00:00+00'),
       ('ticket-0002', 'sub-chen', now());

INSERT INTO runs (id, conversation_id, user_id, started_at, finished_at, model, prompt_tokens, completion_tokens, cost_usd, status, error)
VALUES ('run-1', 'ticket-0001', 'sub-ada', '2026-11-01 10:00:01+00', '2026-11-01 10:00:03.5+00', 'gemini-3.5-flash', 120, 340, 0.000123456789, 'success', NULL),
       ('run-2', '7d3f0c52-9a55-4c38-b3f0-0d1f5a9e1c11', 'sub-bo', now(), NULL, NULL, NULL, NULL, NULL, 'error', 'upstream timeout');

INSERT INTO messages (id, conversation_id, seq, run_id, role, tool, tool_call_id, text, feedback, created_at)
VALUES ('m-1', 'ticket-0001', 1, 'run-1', 'user', NULL, NULL, 'Who painted this?', NULL, '2026-11-01 10:00:01+00'),
       ('m-2', 'ticket-0001', 2, 'run-1', 'assistant', NULL, NULL, E'It is by Hokusai 🌊\n\nSee the sources.', 'like', '2026-11-01 10:00:03+00'),
       ('m-3', '7d3f0c52-9a55-4c38-b3f0-0d1f5a9e1c11', 1, 'run-2', 'user', NULL, NULL, repeat('long text ', 500), NULL, now()),
       ('m-4', '7d3f0c52-9a55-4c38-b3f0-0d1f5a9e1c11', 2, 'run-2', 'tool', 'search_artwork_images', 'call-9', NULL, NULL, NULL),
       ('m-5', '7d3f0c52-9a55-4c38-b3f0-0d1f5a9e1c11', 3, 'legacy-run-without-row', 'assistant', NULL, NULL, 'partial', 'dislike', now());

INSERT INTO message_images (message_id, title, artist, image_path, score, type)
VALUES ('m-2', 'The Great Wave off Kanagawa', 'Katsushika Hokusai', '/images/wave.jpg', 0.987654321, 'artwork'),
       ('m-2', 'Fine Wind, Clear Morning', 'Katsushika Hokusai', NULL, NULL, 'artwork');

INSERT INTO message_sources (message_id, title, uri, confidence, type)
VALUES ('m-2', 'Collection entry', 'https://museum.example/objects/1', 0.5, 'document'),
       ('m-5', NULL, NULL, NULL, 'web');

INSERT INTO message_suggestions (message_id, text, sequence)
VALUES ('m-2', 'Tell me more about ukiyo-e', 0),
       ('m-2', 'Show similar works', 1),
       ('m-5', 'Try again', 0);

-- the auth server's store: an Argon2id row (PHC form, salt sentinel) and a legacy sha256 row
INSERT INTO auth_server_users (sub, email, hash, salt, full_name, location, profile_photo_url, stripe_customer_id, created_at)
VALUES ('0b8f3c1e-5b2a-4c7e-9f10-3a2b1c0d9e8f', 'staff@dataland.example',
        '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWg', 'argon2',
        'Staff Member', '', NULL, NULL, '2026-10-30 08:00:00+00'),
       ('1c9e4d2f-6c3b-4d8f-8a21-4b3c2d1e0f90', 'legacy@dataland.example',
        '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'c0ffee', NULL, 'Berlin', 'https://img.example/l.png', 'cus_9', now());

INSERT INTO auth_login_throttle (scope, key, failures, window_started_at, locked_until)
VALUES ('account', 'staff@dataland.example', 3, now(), NULL),
       ('address', '203.0.113.7', 12, '2026-11-28 05:00:00+00', '2026-11-28 05:15:00+00');
