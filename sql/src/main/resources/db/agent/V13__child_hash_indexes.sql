-- V13: the message_id index of each of a message's child tables (images, sources, suggestions) is a hash
-- index.
--
-- Why: the reload reads a conversation's children by "message_id = ANY(the conversation's message ids)",
-- one probe per message and child table (60 for 20 messages). A btree probe descends from the root,
-- comparing text keys under the database's collation on every level, and the tree gains levels as the
-- table grows; a hash probe reads one bucket page whatever the table's size and compares 32-bit hash
-- codes before the key. On a database of 1,000,000 messages the reload's statements ran 1.75 times as
-- fast with hash indexes, and a museum turn's writes were no slower (docs/benchmarks.md, "Child indexes").
--
-- Each index keeps its name (SQLAlchemy's ix_<table>_<column>, also on a database adopted from Alembic).
-- Equality is all they serve: the reload's "= ANY(...)" (a bitmap scan) and the look-ups of the foreign
-- keys' ON DELETE CASCADE ("message_id = $1"); nothing orders or ranges over message_id.
-- Each table is locked while its index is rebuilt, about a second per 600,000 rows on the benchmark
-- machine (deploy.sh's migrate step): a request of a running agent that reads or writes that table waits
-- that long, none fails.
DROP INDEX IF EXISTS ix_message_images_message_id;
CREATE INDEX ix_message_images_message_id ON message_images USING hash (message_id);

DROP INDEX IF EXISTS ix_message_sources_message_id;
CREATE INDEX ix_message_sources_message_id ON message_sources USING hash (message_id);

DROP INDEX IF EXISTS ix_message_suggestions_message_id;
CREATE INDEX ix_message_suggestions_message_id ON message_suggestions USING hash (message_id);
