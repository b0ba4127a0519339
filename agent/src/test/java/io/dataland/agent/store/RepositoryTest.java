package io.dataland.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.dataland.agent.conversation.Conversation;
import io.dataland.agent.conversation.ConversationCursor;
import io.dataland.agent.conversation.ConversationDetail;
import io.dataland.agent.conversation.ConversationPage;
import io.dataland.agent.conversation.ConversationRepository;
import io.dataland.agent.message.Message;
import io.dataland.agent.message.MessageFeedback;
import io.dataland.agent.message.MessageImage;
import io.dataland.agent.message.MessageRepository;
import io.dataland.agent.message.MessageSource;
import io.dataland.agent.message.NewMessage;
import io.dataland.agent.run.Run;
import io.dataland.agent.run.RunOutcome;
import io.dataland.agent.run.RunRepository;
import io.dataland.agent.run.RunStatus;
import io.dataland.agent.ticket.TicketRegistration;
import io.dataland.agent.ticket.TicketRepository;
import io.dataland.agent.turn.FinishTurn;
import io.dataland.agent.turn.MuseumStart;
import io.dataland.agent.turn.TurnEnd;
import io.dataland.agent.turn.TurnRepository;
import io.dataland.agent.turn.TurnStart;
import io.dataland.agent.user.User;
import io.dataland.agent.user.UserClaims;
import io.dataland.agent.user.UserRepository;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.apache.ibatis.exceptions.PersistenceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The repositories against the real schema (migrated to head) on embedded PostgreSQL 16. */
@ExtendWith(EmbeddedPostgresExtension.class)
class RepositoryTest {

    private static StoreFixture fx;
    private static UserRepository users;
    private static TicketRepository tickets;
    private static ConversationRepository conversations;
    private static MessageRepository messages;
    private static RunRepository runs;
    private static TurnRepository turns;

    @BeforeAll
    static void setUp(TestDatabase db) {
        fx = StoreFixture.open(db, 4);
        users = new UserRepository(fx.store());
        tickets = new TicketRepository(fx.store());
        conversations = new ConversationRepository(fx.store());
        messages = new MessageRepository(fx.store());
        runs = new RunRepository(fx.store());
        turns = new TurnRepository(fx.store());
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    private static String newUser() {
        String sub = "sub-" + UUID.randomUUID();
        users.getOrCreate(UserClaims.ofSub(sub));
        return sub;
    }

    private static long xmin(String table, String id) throws SQLException {
        return longQuery("SELECT xmin::text::bigint FROM " + table + " WHERE id = ?", id);
    }

    private static long longQuery(String sql, String arg) throws SQLException {
        try (Connection c = fx.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getLong(1);
            }
        }
    }

    // ---- users

    @Test
    void userIsCreatedOnFirstSightAndUnchangedClaimsWriteNothingInOneStatement() throws SQLException {
        String sub = "sub-" + UUID.randomUUID();
        OffsetDateTime joined = OffsetDateTime.of(2024, 5, 1, 8, 30, 0, 0, ZoneOffset.ofHours(2));
        UserClaims claims = new UserClaims(sub, sub + "@example.org", "Ada Lovelace", "London",
                "https://img/1.png", joined, "[\"museum\"]", "cus_1");
        User created = users.getOrCreate(claims);
        assertEquals(sub, created.id());
        assertEquals(sub + "@example.org", created.email());
        assertEquals("Ada Lovelace", created.fullName());
        assertEquals("London", created.location());
        assertEquals("https://img/1.png", created.profilePhotoUrl());
        assertEquals(joined.toInstant(), created.joinedDate().toInstant());
        assertEquals(ZoneOffset.UTC, created.joinedDate().getOffset());
        assertEquals("[\"museum\"]", created.accessPermissions());
        assertEquals("cus_1", created.stripeCustomerId());
        assertNotNull(created.createdAt());

        long before = xmin("users", sub);
        fx.counter().reset();
        User again = users.getOrCreate(claims);
        assertEquals(1, fx.counter().count(), "hot path is one statement");
        assertEquals(created, again);
        assertEquals(before, xmin("users", sub), "unchanged claims must not rewrite the row");
    }

    @Test
    void changedClaimRefreshesAndAbsentClaimKeeps() throws SQLException {
        String sub = "sub-" + UUID.randomUUID();
        users.getOrCreate(new UserClaims(sub, null, "Old Name", "Paris", null, null, null, null));
        long before = xmin("users", sub);
        User updated = users.getOrCreate(new UserClaims(sub, null, "New Name", null, null, null, null, "cus_9"));
        assertEquals("New Name", updated.fullName());
        assertEquals("Paris", updated.location(), "absent claim keeps the stored value");
        assertEquals("cus_9", updated.stripeCustomerId());
        assertNotEquals(before, xmin("users", sub));
        assertEquals(updated, users.find(sub).orElseThrow());
    }

    @Test
    void emailHeldByAnotherSubIsNotTakenAndTheRequestSucceeds() {
        String first = "sub-" + UUID.randomUUID();
        String second = "sub-" + UUID.randomUUID();
        String email = "Shared." + UUID.randomUUID() + "@Example.org";
        users.getOrCreate(new UserClaims(first, email, "First", null, null, null, null, null));

        User newcomer = users.getOrCreate(new UserClaims(second, email.toLowerCase(), "Second", "Rome", null, null, null, null));
        assertNull(newcomer.email(), "a new row is stored without the address another user holds");
        assertEquals("Second", newcomer.fullName());
        assertEquals("Rome", newcomer.location());
        assertEquals(email, users.find(first).orElseThrow().email(), "the holder keeps it");

        User own = users.getOrCreate(new UserClaims(second, "own-" + second + "@example.org", null, null, null, null, null, null));
        assertEquals("own-" + second + "@example.org", own.email());
        User stillOwn = users.getOrCreate(new UserClaims(second, email.toUpperCase(), "Second B", null, null, null, null, null));
        assertEquals("own-" + second + "@example.org", stillOwn.email(), "an existing row keeps its address");
        assertEquals("Second B", stillOwn.fullName(), "other claims are still refreshed");
    }

    // ---- tickets

    @Test
    void ticketRegistrationIsIdempotentAndNeverOverwritesAnotherOwner() {
        String a = newUser();
        String b = newUser();
        String ticket = "T-" + UUID.randomUUID();
        assertEquals(TicketRegistration.REGISTERED, tickets.register(ticket, a));
        assertEquals(TicketRegistration.ALREADY_REGISTERED, tickets.register(ticket, a));
        assertEquals(TicketRegistration.OWNED_BY_OTHER_USER, tickets.register(ticket, b));
        assertEquals(a, tickets.find(ticket).orElseThrow().userId());
    }

    // ---- turns

    @Test
    void museumTurnRegistersTicketCreatesConversationAndWritesBothSteps() {
        String a = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        MuseumStart first = turns.beginMuseum(a, ticket, "Visit", "Who painted this?");
        MuseumStart.Started started = assertInstanceOf(MuseumStart.Started.class, first);
        assertEquals(TicketRegistration.REGISTERED, started.registration());
        TurnStart start = started.start();
        assertEquals(ticket, start.conversationId());
        assertEquals(1, start.userMessage().seq());
        assertEquals("user", start.userMessage().role());
        assertEquals(start.run().id(), start.userMessage().runId());
        assertNull(start.run().finishedAt());

        Conversation conversation = conversations.find(ticket, a).orElseThrow();
        assertEquals(Conversation.MUSEUM, conversation.mode());
        assertEquals("Visit", conversation.title());

        List<MessageImage> images = List.of(new MessageImage("Starry Night", "van Gogh", "/img/1.jpg", 0.93, null),
                new MessageImage("Irises", "van Gogh", "/img/2.jpg", 0.81, "photo"));
        List<MessageSource> sources = List.of(new MessageSource("Catalogue", "https://museum/cat", 0.7, null));
        TurnEnd end = turns.finish(new FinishTurn(ticket, a, start.run().id(), "Vincent van Gogh.", images, sources,
                List.of("When?", "Where?"), new RunOutcome("gemini-3.5-flash", 120, 30, 0.0012, RunStatus.SUCCESS, null)))
                .orElseThrow();
        Run run = end.run();
        assertNotNull(run.finishedAt());
        assertEquals("gemini-3.5-flash", run.model());
        assertEquals(120, run.promptTokens());
        assertEquals(30, run.completionTokens());
        assertEquals(0.0012, run.costUsd());
        assertEquals("success", run.status());
        assertNull(run.error());
        Message answer = end.assistantMessage().orElseThrow();
        assertEquals(2, answer.seq());
        assertEquals("artwork", answer.images().get(0).type());
        assertEquals("photo", answer.images().get(1).type());
        assertEquals("document", answer.sources().get(0).type());

        ConversationDetail detail = conversations.load(ticket, a).orElseThrow();
        assertEquals(2, detail.messages().size());
        assertEquals(answer, detail.messages().get(1));
        assertEquals(List.of("When?", "Where?"), detail.messages().get(1).suggestions());
        assertEquals(run, runs.find(run.id(), a).orElseThrow());

        MuseumStart second = turns.beginMuseum(a, ticket, "ignored", "And this one?");
        MuseumStart.Started again = assertInstanceOf(MuseumStart.Started.class, second);
        assertEquals(TicketRegistration.ALREADY_REGISTERED, again.registration());
        assertEquals(3, again.start().userMessage().seq());
        assertEquals("Visit", conversations.find(ticket, a).orElseThrow().title());
    }

    @Test
    void museumTicketOfAnotherUserChangesNothing() throws SQLException {
        String a = newUser();
        String b = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        turns.beginMuseum(a, ticket, null, "hello");
        long messagesBefore = longQuery("SELECT count(*) FROM messages WHERE conversation_id = ?", ticket);
        assertInstanceOf(MuseumStart.OwnedByOtherUser.class, turns.beginMuseum(b, ticket, null, "mine?"));
        assertEquals(messagesBefore, longQuery("SELECT count(*) FROM messages WHERE conversation_id = ?", ticket));
        assertEquals(0, longQuery("SELECT count(*) FROM runs WHERE user_id = ?", b));
        assertTrue(conversations.find(ticket, b).isEmpty());
        assertEquals(a, tickets.find(ticket).orElseThrow().userId());
    }

    @Test
    void ensureMuseumCreatesOnceAndOnlyForItsOwner() {
        String a = newUser();
        String b = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        Conversation created = conversations.ensureMuseum(a, ticket, "Hall").orElseThrow();
        assertEquals(Conversation.MUSEUM, created.mode());
        assertEquals(ticket, created.id());
        assertEquals(created, conversations.ensureMuseum(a, ticket, "other title").orElseThrow());
        assertTrue(conversations.ensureMuseum(b, ticket, null).isEmpty());
    }

    @Test
    void museumTicketWhoseConversationIdIsTakenIsRefusedAndNotRegistered() {
        String a = newUser();
        String b = newUser();
        Conversation general = conversations.createGeneral(b, "b's");
        assertInstanceOf(MuseumStart.OwnedByOtherUser.class, turns.beginMuseum(a, general.id(), null, "hi"));
        assertTrue(tickets.find(general.id()).isEmpty(), "the registration was rolled back");
    }

    @Test
    void failureInTheMiddleOfAStepLeavesNothingOfIt() throws SQLException {
        String a = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        // PostgreSQL text cannot hold NUL: the message insert fails after the ticket and conversation rows
        assertThrows(PersistenceException.class, () -> turns.beginMuseum(a, ticket, null, "bad \u0000 text"));
        assertTrue(tickets.find(ticket).isEmpty());
        assertTrue(conversations.find(ticket, a).isEmpty());

        TurnStart start = ((MuseumStart.Started) turns.beginMuseum(a, ticket, null, "ok")).start();
        OffsetDateTime touched = conversations.find(ticket, a).orElseThrow().updatedAt();
        // the suggestions insert fails after the assistant message, images and sources went in
        assertThrows(PersistenceException.class, () -> turns.finish(new FinishTurn(ticket, a, start.run().id(), "answer",
                List.of(new MessageImage("t", "a", "/p", 1.0, null)), List.of(new MessageSource("s", "u", 0.5, null)),
                List.of("fine", "bad \u0000"), new RunOutcome("m", 1, 1, 0.1, RunStatus.SUCCESS, null))));
        assertEquals(1, conversations.load(ticket, a).orElseThrow().messages().size());
        assertEquals(0, longQuery("SELECT count(*) FROM message_images i JOIN messages m ON m.id = i.message_id"
                + " WHERE m.conversation_id = ?", ticket));
        assertNull(runs.find(start.run().id(), a).orElseThrow().finishedAt(), "the run is still open");
        assertEquals(touched, conversations.find(ticket, a).orElseThrow().updatedAt());
    }

    @Test
    void errorAndCancelledRunsCloseWithOrWithoutText() {
        String a = newUser();
        TurnStart start = turns.beginNewGeneral(a, "Title from first message", "first");
        Conversation created = conversations.find(start.conversationId(), a).orElseThrow();
        assertEquals(Conversation.GENERAL, created.mode());
        assertEquals(4, UUID.fromString(created.id()).version());

        TurnEnd error = turns.finish(new FinishTurn(start.conversationId(), a, start.run().id(), null, null, null, null,
                new RunOutcome("m", null, null, null, RunStatus.ERROR, "model timed out"))).orElseThrow();
        assertTrue(error.assistantMessage().isEmpty());
        assertEquals("error", error.run().status());
        assertEquals("model timed out", error.run().error());

        TurnStart next = turns.begin(start.conversationId(), a, "second").orElseThrow();
        assertEquals(2, next.userMessage().seq());
        TurnEnd cancelled = turns.finish(new FinishTurn(start.conversationId(), a, next.run().id(), "partial ans",
                null, null, null, new RunOutcome("m", 10, 3, null, RunStatus.CANCELLED, null))).orElseThrow();
        assertEquals("partial ans", cancelled.assistantMessage().orElseThrow().text());
        assertEquals(3, cancelled.assistantMessage().orElseThrow().seq());
        assertEquals("cancelled", cancelled.run().status());
    }

    @Test
    void turnsAreScopedToTheOwner() {
        String a = newUser();
        String b = newUser();
        TurnStart start = turns.beginNewGeneral(a, "mine", "hello");
        assertTrue(turns.begin(start.conversationId(), b, "intrude").isEmpty());
        assertTrue(turns.finish(new FinishTurn(start.conversationId(), b, start.run().id(), "x", null, null, null,
                new RunOutcome("m", 1, 1, 0.0, RunStatus.SUCCESS, null))).isEmpty());
        assertTrue(runs.find(start.run().id(), b).isEmpty());
        assertTrue(runs.find(start.run().id(), a).orElseThrow().finishedAt() == null);
        assertTrue(messages.append(start.conversationId(), b, NewMessage.user("x", null)).isEmpty());
    }

    @Test
    void finishAfterDeleteWritesNothing() {
        String a = newUser();
        TurnStart start = turns.beginNewGeneral(a, "t", "hello");
        assertTrue(conversations.delete(start.conversationId(), a));
        assertTrue(turns.finish(new FinishTurn(start.conversationId(), a, start.run().id(), "late", null, null, null,
                new RunOutcome("m", 1, 1, 0.0, RunStatus.SUCCESS, null))).isEmpty());
    }

    // ---- conversations

    @Test
    void listIsKeysetPaginatedNewestFirst() {
        String a = newUser();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(conversations.createGeneral(a, "c" + i).id());
        }
        // touch the second one: it becomes the newest
        turns.begin(ids.get(1), a, "bump").orElseThrow();
        List<String> expected = new ArrayList<>(List.of(ids.get(1), ids.get(4), ids.get(3), ids.get(2), ids.get(0)));

        List<String> seen = new ArrayList<>();
        ConversationCursor cursor = null;
        int pages = 0;
        do {
            ConversationPage page = conversations.list(a, 2, cursor);
            page.items().forEach(c -> seen.add(c.id()));
            cursor = page.next() == null ? null : ConversationCursor.decode(page.next().encode());
            pages++;
        } while (cursor != null);
        assertEquals(expected, seen);
        assertEquals(3, pages);
        assertEquals(5, conversations.list(a, 100, null).items().size());
        assertNull(conversations.list(a, 5, null).next());
        assertTrue(conversations.list(newUser(), 10, null).items().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> conversations.list(a, 0, null));
        assertThrows(IllegalArgumentException.class, () -> conversations.list(a, 101, null));
    }

    @Test
    void cursorRejectsTokensItDidNotIssue() {
        ConversationCursor cursor = new ConversationCursor(OffsetDateTime.parse("2026-01-02T03:04:05.123456Z"), "id-1");
        assertEquals(cursor, ConversationCursor.decode(cursor.encode()));
        String token = cursor.encode();
        assertThrows(IllegalArgumentException.class, () -> ConversationCursor.decode("garbage"));
        assertThrows(IllegalArgumentException.class, () -> ConversationCursor.decode(""));
        assertThrows(IllegalArgumentException.class, () -> ConversationCursor.decode(token.substring(1)));
        assertThrows(IllegalArgumentException.class, () -> ConversationCursor.decode(
                java.util.Base64.getUrlEncoder().encodeToString("c1.123.id".getBytes())));
    }

    @Test
    void renameAndDeleteAreOwnerOnlyAndDeleteTakesEverythingWithIt() throws SQLException {
        String a = newUser();
        String b = newUser();
        TurnStart start = turns.beginNewGeneral(a, "old", "q");
        String id = start.conversationId();
        turns.finish(new FinishTurn(id, a, start.run().id(), "a", List.of(new MessageImage("t", "x", "/p", 1.0, null)),
                List.of(new MessageSource("s", "u", 0.2, null)), List.of("more"),
                new RunOutcome("m", 1, 1, 0.0, RunStatus.SUCCESS, null))).orElseThrow();

        assertTrue(conversations.rename(id, b, "stolen").isEmpty());
        Conversation renamed = conversations.rename(id, a, "new").orElseThrow();
        assertEquals("new", renamed.title());

        assertFalse(conversations.delete(id, b));
        assertTrue(conversations.find(id, a).isPresent());
        assertTrue(conversations.delete(id, a));
        assertTrue(conversations.find(id, a).isEmpty());
        assertEquals(0, longQuery("SELECT count(*) FROM messages WHERE conversation_id = ?", id));
        assertEquals(0, longQuery("SELECT count(*) FROM runs WHERE conversation_id = ?", id));
        assertEquals(0, longQuery("SELECT (SELECT count(*) FROM message_images WHERE message_id NOT IN (SELECT id FROM messages))"
                + " + (SELECT count(*) FROM message_sources WHERE message_id NOT IN (SELECT id FROM messages))"
                + " + (SELECT count(*) FROM message_suggestions WHERE message_id NOT IN (SELECT id FROM messages))"
                + " + length(?)", ""));
        assertFalse(conversations.delete(id, a));
    }

    @Test
    void feedbackOnlyOnAssistantMessagesOfOwnConversations() {
        String a = newUser();
        String b = newUser();
        TurnStart start = turns.beginNewGeneral(a, "f", "q");
        Message answer = turns.finish(new FinishTurn(start.conversationId(), a, start.run().id(), "a", null, null, null,
                new RunOutcome("m", 1, 1, 0.0, RunStatus.SUCCESS, null))).orElseThrow().assistantMessage().orElseThrow();

        assertEquals(new MessageFeedback(answer.id(), "like"), messages.setFeedback(answer.id(), a, "like").orElseThrow());
        assertTrue(messages.setFeedback(answer.id(), b, "dislike").isEmpty());
        assertTrue(messages.setFeedback(start.userMessage().id(), a, "like").isEmpty());
        assertTrue(messages.setFeedback("no-such-message", a, "like").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> messages.setFeedback(answer.id(), a, "love"));
        assertEquals("like", conversations.load(start.conversationId(), a).orElseThrow().messages().get(1).feedback());
        assertEquals(new MessageFeedback(answer.id(), null), messages.setFeedback(answer.id(), a, null).orElseThrow());
    }

    // ---- reload statement count

    @Test
    void reloadUsesThreeStatementsWhateverTheMessageCount() {
        String a = newUser();
        for (int turnsWanted : new int[] {1, 40}) {
            TurnStart first = turns.beginNewGeneral(a, "n" + turnsWanted, "q0");
            String id = first.conversationId();
            String runId = first.run().id();
            for (int i = 0; i < turnsWanted; i++) {
                if (i > 0) {
                    runId = turns.begin(id, a, "q" + i).orElseThrow().run().id();
                }
                turns.finish(new FinishTurn(id, a, runId, "a" + i,
                        List.of(new MessageImage("t" + i, "x", "/p" + i, 0.5, null), new MessageImage("u" + i, "y", "/q", 0.4, null)),
                        List.of(new MessageSource("s" + i, "uri" + i, 0.9, null)), List.of("s1-" + i, "s2-" + i, "s3-" + i),
                        new RunOutcome("m", 1, 1, 0.0, RunStatus.SUCCESS, null))).orElseThrow();
            }
            fx.counter().reset();
            ConversationDetail detail = conversations.load(id, a).orElseThrow();
            assertEquals(3, fx.counter().count(), "reload of " + turnsWanted + " turns");
            assertEquals(2 * turnsWanted, detail.messages().size());
            for (int i = 0; i < detail.messages().size(); i++) {
                Message m = detail.messages().get(i);
                assertEquals(i + 1, m.seq());
                if (m.role().equals("assistant")) {
                    int turn = i / 2;
                    assertEquals(List.of("t" + turn, "u" + turn), m.images().stream().map(MessageImage::title).toList());
                    assertEquals(List.of("s" + turn), m.sources().stream().map(MessageSource::title).toList());
                    assertEquals(List.of("s1-" + turn, "s2-" + turn, "s3-" + turn), m.suggestions());
                } else {
                    assertTrue(m.images().isEmpty() && m.sources().isEmpty() && m.suggestions().isEmpty());
                }
            }
        }
        fx.counter().reset();
        assertEquals(Optional.empty(), conversations.load("missing", a));
        assertEquals(1, fx.counter().count());
    }
}
