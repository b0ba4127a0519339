package io.dataland.agent.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.dataland.testkit.EmbeddedPg;
import io.dataland.testkit.EmbeddedPostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Empty to head, and every historical version V1..V10 holding realistic rows to head: every row and value
 * survives, naive timestamps are read as UTC, and the upgraded schema is identical to a fresh one.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class UpgradeTest {

    private static List<String> freshSchema;

    @BeforeAll
    static void fresh(EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "fresh");
        try (HikariDataSource ds = SchemaTestSupport.pool(pg, db, "UTC")) {
            assertEquals(13, new Migrations(ds).migrate());
            assertEquals(0, new Migrations(ds).migrate(), "a second migrate is a no-op");
            try (Connection c = ds.getConnection()) {
                assertEquals(SchemaTestSupport.versions(1), SchemaTestSupport.history(c));
                freshSchema = SchemaFingerprint.of(c);
            }
        }
    }

    @Test
    void emptyDatabaseReachesHeadWithTheDocumentedShape() {
        // the pieces the seed and the issue name, by name
        for (String expected : List.of(
                "users.id text null=NO default=-", "users.email text null=YES default=-",
                "users.created_at timestamp with time zone null=NO default=now()",
                "users.access_permissions text null=YES default=-",
                "tickets.first_seen timestamp with time zone null=NO default=now()",
                "messages.created_at timestamp with time zone null=YES default=-",
                "runs.cost_usd double precision null=YES default=-",
                "messages uq_messages_conversation_id_seq UNIQUE (conversation_id, seq)",
                "message_images message_images_message_id_fkey FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE CASCADE",
                "message_sources message_sources_message_id_fkey FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE CASCADE",
                "message_suggestions message_suggestions_message_id_fkey FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE CASCADE",
                "messages messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE",
                "runs runs_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE",
                "runs runs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id)",
                "CREATE UNIQUE INDEX users_email_lower_uniq ON public.users USING btree (lower(email))",
                "CREATE INDEX ix_conversations_user_id ON public.conversations USING btree (user_id)",
                "CREATE INDEX ix_messages_conversation_id ON public.messages USING btree (conversation_id)",
                "CREATE INDEX ix_message_images_message_id ON public.message_images USING hash (message_id)",
                "CREATE INDEX ix_message_sources_message_id ON public.message_sources USING hash (message_id)",
                "CREATE INDEX ix_message_suggestions_message_id ON public.message_suggestions USING hash (message_id)",
                "CREATE INDEX ix_tickets_user_id ON public.tickets USING btree (user_id)",
                "CREATE INDEX ix_runs_conversation_id ON public.runs USING btree (conversation_id)",
                "CREATE INDEX ix_runs_user_id ON public.runs USING btree (user_id)")) {
            if (!freshSchema.contains(expected)) {
                throw new AssertionError("missing from the head schema: " + expected + "\n" + String.join("\n", freshSchema));
            }
        }
        freshSchema.forEach(line -> {
            if (line.contains("messages.event") || line.contains("tickets.external_id") || line.contains("tickets.visit_count")
                    || line.contains("tickets.last_seen") || line.contains("user_ticket_mappings")) {
                throw new AssertionError("should be gone at head: " + line);
            }
        });
    }

    @ParameterizedTest(name = "V{0} with rows -> head")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void historicalVersionWithRowsReachesHeadIntact(int version, EmbeddedPg pg) throws Exception {
        String db = SchemaTestSupport.newDatabase(pg, "v" + version);
        SchemaTestSupport.buildAt(pg, db, version);
        try (Connection c = SchemaTestSupport.connect(pg, db, "America/New_York")) {
            HistoricalData.load(c, version);
        }
        // migrate from a session in yet another zone: the naive values must still be read as UTC
        try (HikariDataSource ds = SchemaTestSupport.pool(pg, db, "Asia/Tokyo")) {
            // rows in what V11 drops: migrated as after a backup (the guard: DestructiveMigrationTest)
            assertEquals(13 - version, new Migrations(ds, true).migrate());
            try (Connection c = ds.getConnection()) {
                HistoricalData.verifyAtHead(c, version);
                assertEquals(SchemaTestSupport.versions(1), SchemaTestSupport.history(c));
                assertEquals(freshSchema, SchemaFingerprint.of(c), "upgraded schema differs from a fresh one");
            }
            assertEquals(0, new Migrations(ds).migrate(), "re-running is a no-op");
        }
    }
}
