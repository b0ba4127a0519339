package io.dataland.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.dataland.agent.testing.TestData.claims;
import static io.dataland.agent.testing.TestData.finish;
import static io.dataland.agent.testing.TestData.image;
import static io.dataland.agent.testing.TestData.source;

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

import io.dataland.agent.chat.FinishTurn;
import io.dataland.agent.chat.MuseumStart;
import io.dataland.agent.chat.TurnEnd;
import io.dataland.agent.chat.TurnRepository;
import io.dataland.agent.chat.TurnStart;
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
import io.dataland.agent.model.ModelRequest;
import io.dataland.agent.run.Run;
import io.dataland.agent.run.RunRepository;
import io.dataland.agent.run.RunStatus;
import io.dataland.agent.ticket.Ticket;
import io.dataland.agent.ticket.TicketMapper;
import io.dataland.agent.ticket.TicketRegistration;
import io.dataland.agent.ticket.TicketRepository;
import io.dataland.agent.user.User;
import io.dataland.agent.user.UserClaims;
import io.dataland.agent.user.UserMapper;
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

    private static DbFixture fx;

    @BeforeAll
    static void setUp(TestDatabase db) {
        fx = DbFixture.open(db, 4);
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    private static String newUser() {
        String sub = "sub-" + UUID.randomUUID();
        UserRepository.getOrCreate(fx.db(), claims(sub).build());
        return sub;
    }

    private static Optional<User> user(String id) {
        return Optional.ofNullable(fx.tx(s -> s.getMapper(UserMapper.class).findById(id)));
    }

    private static Optional<Ticket> ticket(String id) {
        return Optional.ofNullable(fx.tx(s -> s.getMapper(TicketMapper.class).findById(id)));
    }

    private static Optional<Conversation> conversation(String id, String userId) {
        return fx.tx(s -> ConversationRepository.load(s, id, userId)).map(ConversationDetail::conversation);
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
        UserClaims claims = claims(sub).email(sub + "@example.org").fullName("Ada Lovelace").location("London")
                .photo("https://img/1.png").joined(joined).permissions("[\"museum\"]").stripeCustomerId("cus_1").build();
        User created = UserRepository.getOrCreate(fx.db(), claims);
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
        User again = UserRepository.getOrCreate(fx.db(), claims);
        assertEquals(1, fx.counter().count(), "hot path is one statement");
        assertEquals(created, again);
        assertEquals(before, xmin("users", sub), "unchanged claims must not rewrite the row");
    }

    @Test
    void changedClaimRefreshesAndAbsentClaimKeeps() throws SQLException {
        String sub = "sub-" + UUID.randomUUID();
        UserRepository.getOrCreate(fx.db(), claims(sub).fullName("Old Name").location("Paris").build());
        long before = xmin("users", sub);
        User updated = UserRepository.getOrCreate(fx.db(), claims(sub).fullName("New Name").stripeCustomerId("cus_9").build());
        assertEquals("New Name", updated.fullName());
        assertEquals("Paris", updated.location(), "absent claim keeps the stored value");
        assertEquals("cus_9", updated.stripeCustomerId());
        assertNotEquals(before, xmin("users", sub));
        assertEquals(updated, user(sub).orElseThrow());
    }

    @Test
    void emailHeldByAnotherSubIsNotTakenAndTheRequestSucceeds() {
        String first = "sub-" + UUID.randomUUID();
        String second = "sub-" + UUID.randomUUID();
        String email = "Shared." + UUID.randomUUID() + "@Example.org";
        UserRepository.getOrCreate(fx.db(), claims(first).email(email).fullName("First").build());

        User newcomer = UserRepository.getOrCreate(fx.db(), claims(second).email(email.toLowerCase()).fullName("Second").location("Rome").build());
        assertNull(newcomer.email(), "a new row is stored without the address another user holds");
        assertEquals("Second", newcomer.fullName());
        assertEquals("Rome", newcomer.location());
        assertEquals(email, user(first).orElseThrow().email(), "the holder keeps it");

        User own = UserRepository.getOrCreate(fx.db(), claims(second).email("own-" + second + "@example.org").build());
        assertEquals("own-" + second + "@example.org", own.email());
        User stillOwn = UserRepository.getOrCreate(fx.db(), claims(second).email(email.toUpperCase()).fullName("Second B").build());
        assertEquals("own-" + second + "@example.org", stillOwn.email(), "an existing row keeps its address");
        assertEquals("Second B", stillOwn.fullName(), "other claims are still refreshed");
    }

    // ---- tickets

    @Test
    void ticketRegistrationIsIdempotentAndNeverOverwritesAnotherOwner() {
        String a = newUser();
        String b = newUser();
        String ticket = "T-" + UUID.randomUUID();
        assertEquals(TicketRegistration.REGISTERED, fx.tx(s -> TicketRepository.register(s, ticket, a)));
        assertEquals(TicketRegistration.ALREADY_REGISTERED, fx.tx(s -> TicketRepository.register(s, ticket, a)));
        assertEquals(TicketRegistration.OWNED_BY_OTHER_USER, fx.tx(s -> TicketRepository.register(s, ticket, b)));
        assertEquals(a, ticket(ticket).orElseThrow().userId());
    }

    // ---- turns

    @Test
    void museumTurnRegistersTicketCreatesConversationAndWritesBothSteps() {
        String a = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        MuseumStart first = fx.tx(s -> TurnRepository.beginMuseum(s, a, ticket, "Visit", "Who painted this?", 0));
        MuseumStart.Started started = assertInstanceOf(MuseumStart.Started.class, first);
        assertEquals(TicketRegistration.REGISTERED, started.registration());
        TurnStart start = started.start();
        assertEquals(ticket, start.conversationId());
        assertEquals(1, start.userMessage().seq());
        assertEquals("user", start.userMessage().role());
        assertEquals(start.run().id(), start.userMessage().runId());
        assertNull(start.run().finishedAt());

        Conversation conversation = conversation(ticket, a).orElseThrow();
        assertEquals(Conversation.MUSEUM, conversation.mode());
        assertEquals("Visit", conversation.title());

        FinishTurn finish = finish(start, a).text("Vincent van Gogh.")
                .images(image("Starry Night", "van Gogh", "/img/1.jpg", 0.93),
                        new MessageImage("Irises", "van Gogh", "/img/2.jpg", 0.81, "photo"))
                .sources(source("Catalogue", "https://museum/cat", 0.7)).suggestions("When?", "Where?")
                .model("gemini-3.5-flash").tokens(120, 30).cost(0.0012).build();
        TurnEnd end = fx.tx(s -> TurnRepository.finish(s, finish)).orElseThrow();
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

        ConversationDetail detail = fx.tx(s -> ConversationRepository.load(s, ticket, a)).orElseThrow();
        assertEquals(2, detail.messages().size());
        assertEquals(answer, detail.messages().get(1));
        assertEquals(List.of("When?", "Where?"), detail.messages().get(1).suggestions());
        assertEquals(run, fx.tx(s -> RunRepository.find(s, run.id(), a)).orElseThrow());

        MuseumStart second = fx.tx(s -> TurnRepository.beginMuseum(s, a, ticket, "ignored", "And this one?", 0));
        MuseumStart.Started again = assertInstanceOf(MuseumStart.Started.class, second);
        assertEquals(TicketRegistration.ALREADY_REGISTERED, again.registration());
        assertEquals(3, again.start().userMessage().seq());
        assertEquals("Visit", conversation(ticket, a).orElseThrow().title());
    }

    @Test
    void museumTicketOfAnotherUserChangesNothing() throws SQLException {
        String a = newUser();
        String b = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        fx.tx(s -> TurnRepository.beginMuseum(s, a, ticket, null, "hello", 0));
        long messagesBefore = longQuery("SELECT count(*) FROM messages WHERE conversation_id = ?", ticket);
        assertInstanceOf(MuseumStart.OwnedByOtherUser.class, fx.tx(s -> TurnRepository.beginMuseum(s, b, ticket, null, "mine?", 0)));
        assertEquals(messagesBefore, longQuery("SELECT count(*) FROM messages WHERE conversation_id = ?", ticket));
        assertEquals(0, longQuery("SELECT count(*) FROM runs WHERE user_id = ?", b));
        assertTrue(conversation(ticket, b).isEmpty());
        assertEquals(a, ticket(ticket).orElseThrow().userId());
    }

    @Test
    void ensureMuseumCreatesOnceAndOnlyForItsOwner() {
        String a = newUser();
        String b = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        Conversation created = fx.tx(s -> ConversationRepository.ensureMuseum(s, a, ticket, "Hall")).orElseThrow();
        assertEquals(Conversation.MUSEUM, created.mode());
        assertEquals(ticket, created.id());
        Conversation again = fx.tx(s -> ConversationRepository.ensureMuseum(s, a, ticket, "other title")).orElseThrow();
        assertEquals(List.of(created.id(), created.userId(), created.title(), created.mode(), created.createdAt()),
                List.of(again.id(), again.userId(), again.title(), again.mode(), again.createdAt()), "the same row, kept");
        assertFalse(again.updatedAt().isBefore(created.updatedAt()), "locked for the append: updated_at bumped");
        assertTrue(fx.tx(s -> ConversationRepository.ensureMuseum(s, b, ticket, null)).isEmpty());
        Conversation general = fx.tx(s -> ConversationRepository.createGeneral(s, a, "a's"));
        assertTrue(fx.tx(s -> ConversationRepository.ensureMuseum(s, a, general.id(), null)).isEmpty(),
                "a general conversation is no ticket's, its owner's included");
    }

    @Test
    void ensureMuseumTakesItsOwnersRowWithoutAModeFromTheOriginalSystem() throws SQLException {
        String a = newUser();
        String b = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        try (Connection c = fx.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO conversations (id, user_id, title, mode, created_at, updated_at) VALUES (?, ?, 'old', NULL, now(), now())")) {
            ps.setString(1, ticket);
            ps.setString(2, a);
            ps.executeUpdate();
        }
        assertTrue(fx.tx(s -> ConversationRepository.ensureMuseum(s, b, ticket, null)).isEmpty(), "still not another user's");
        Conversation kept = fx.tx(s -> ConversationRepository.ensureMuseum(s, a, ticket, null)).orElseThrow(
                () -> new AssertionError("a visitor's ticket conversation written before the switch-over stays usable"));
        assertEquals(ticket, kept.id());
    }

    @Test
    void museumTicketWhoseConversationIdIsTakenIsRefusedAndNotRegistered() throws SQLException {
        String a = newUser();
        String b = newUser();
        Conversation others = fx.tx(s -> ConversationRepository.createGeneral(s, b, "b's"));
        Conversation own = fx.tx(s -> ConversationRepository.createGeneral(s, a, "a's"));
        for (Conversation taken : List.of(others, own)) {
            assertInstanceOf(MuseumStart.IdTaken.class, fx.tx(s -> TurnRepository.beginMuseum(s, a, taken.id(), null, "hi", 0)));
            assertTrue(ticket(taken.id()).isEmpty(), "the registration was rolled back");
            assertEquals(0, longQuery("SELECT count(*) FROM messages WHERE conversation_id = ?", taken.id()));
            assertEquals(taken, conversation(taken.id(), taken.userId()).orElseThrow(), "untouched");
        }
    }

    @Test
    void failureInTheMiddleOfAStepLeavesNothingOfIt() throws SQLException {
        String a = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        // PostgreSQL text cannot hold NUL: the message insert fails after the ticket and conversation rows
        assertThrows(PersistenceException.class, () -> fx.tx(s -> TurnRepository.beginMuseum(s, a, ticket, null, "bad \u0000 text", 0)));
        assertTrue(ticket(ticket).isEmpty());
        assertTrue(conversation(ticket, a).isEmpty());

        TurnStart start = ((MuseumStart.Started) fx.tx(s -> TurnRepository.beginMuseum(s, a, ticket, null, "ok", 0))).start();
        OffsetDateTime touched = conversation(ticket, a).orElseThrow().updatedAt();
        // the message's statement fails on its suggestions, after the run's close (and the conversation's lock) went in
        FinishTurn failing = finish(start, a).text("answer").images(image("t", "a", "/p", 1.0))
                .sources(source("s", "u", 0.5)).suggestions("fine", "bad \u0000").tokens(1, 1).cost(0.1).build();
        assertThrows(PersistenceException.class, () -> fx.tx(s -> TurnRepository.finish(s, failing)));
        assertEquals(1, fx.tx(s -> ConversationRepository.load(s, ticket, a)).orElseThrow().messages().size());
        assertEquals(0, longQuery("SELECT count(*) FROM message_images i JOIN messages m ON m.id = i.message_id"
                + " WHERE m.conversation_id = ?", ticket));
        assertNull(fx.tx(s -> RunRepository.find(s, start.run().id(), a)).orElseThrow().finishedAt(), "the run is still open");
        assertEquals(touched, conversation(ticket, a).orElseThrow().updatedAt());
    }

    @Test
    void errorAndCancelledRunsCloseWithOrWithoutText() {
        String a = newUser();
        TurnStart start = fx.tx(s -> TurnRepository.beginNewGeneral(s, a, "Title from first message", "first", 0));
        Conversation created = conversation(start.conversationId(), a).orElseThrow();
        assertEquals(Conversation.GENERAL, created.mode());
        assertEquals(4, UUID.fromString(created.id()).version());

        FinishTurn failed = finish(start, a).status(RunStatus.ERROR).error("model timed out").build();
        TurnEnd error = fx.tx(s -> TurnRepository.finish(s, failed)).orElseThrow();
        assertTrue(error.assistantMessage().isEmpty());
        assertEquals("error", error.run().status());
        assertEquals("model timed out", error.run().error());

        TurnStart next = fx.tx(s -> TurnRepository.begin(s, start.conversationId(), a, "second", 0)).orElseThrow();
        assertEquals(2, next.userMessage().seq());
        FinishTurn partial = finish(next, a).text("partial ans").tokens(10, 3).status(RunStatus.CANCELLED).build();
        TurnEnd cancelled = fx.tx(s -> TurnRepository.finish(s, partial)).orElseThrow();
        assertEquals("partial ans", cancelled.assistantMessage().orElseThrow().text());
        assertEquals(3, cancelled.assistantMessage().orElseThrow().seq());
        assertEquals("cancelled", cancelled.run().status());
    }

    @Test
    void turnsAreScopedToTheOwner() {
        String a = newUser();
        String b = newUser();
        TurnStart start = fx.tx(s -> TurnRepository.beginNewGeneral(s, a, "mine", "hello", 0));
        assertTrue(fx.tx(s -> TurnRepository.begin(s, start.conversationId(), b, "intrude", 0)).isEmpty());
        FinishTurn intruding = finish(start, b).text("x").build();
        assertTrue(fx.tx(s -> TurnRepository.finish(s, intruding)).isEmpty());
        assertTrue(fx.tx(s -> RunRepository.find(s, start.run().id(), b)).isEmpty());
        assertTrue(fx.tx(s -> RunRepository.find(s, start.run().id(), a)).orElseThrow().finishedAt() == null);
        assertTrue(fx.tx(s -> MessageRepository.append(s, start.conversationId(), b, NewMessage.user("x", null))).isEmpty());
    }

    @Test
    void finishAfterDeleteWritesNothing() {
        String a = newUser();
        TurnStart start = fx.tx(s -> TurnRepository.beginNewGeneral(s, a, "t", "hello", 0));
        assertEquals(true, fx.tx(s -> ConversationRepository.delete(s, start.conversationId(), a)));
        FinishTurn late = finish(start, a).text("late").build();
        assertTrue(fx.tx(s -> TurnRepository.finish(s, late)).isEmpty());
    }

    @Test
    void beginReadsTheHistoryTheModelWantsInTheSameUnitOfWork() {
        String a = newUser();
        TurnStart first = fx.tx(s -> TurnRepository.beginNewGeneral(s, a, "h", "q1", 5));
        assertEquals(List.of(), first.history(), "a first turn has no history");
        FinishTurn answered = finish(first, a).text("a1").build();
        fx.tx(s -> TurnRepository.finish(s, answered)).orElseThrow();
        String id = first.conversationId();

        TurnStart second = fx.tx(s -> TurnRepository.begin(s, id, a, "q2", 5)).orElseThrow();
        assertEquals(List.of(new ModelRequest.Turn("user", "q1"), new ModelRequest.Turn("assistant", "a1")),
                second.history(), "earlier messages, oldest first, without the one just appended");
        TurnStart third = fx.tx(s -> TurnRepository.begin(s, id, a, "q3", 1)).orElseThrow();
        assertEquals(List.of(new ModelRequest.Turn("user", "q2")), third.history(), "at most the wanted count");

        fx.counter().reset();
        TurnStart none = fx.tx(s -> TurnRepository.begin(s, id, a, "q4", 0)).orElseThrow();
        assertEquals(List.of(), none.history());
        assertEquals(2, fx.counter().count(), "lock; insert message opening its run; no history read when none is wanted");
    }

    @Test
    void museumTurnIsTwoStatementsToBeginAndTwoToFinish() {
        String a = newUser();
        String ticket = "museum-" + UUID.randomUUID();
        fx.tx(s -> TurnRepository.beginMuseum(s, a, ticket, "Visit", "first", 0));
        fx.counter().reset();
        TurnStart start = ((MuseumStart.Started) fx.tx(s -> TurnRepository.beginMuseum(s, a, ticket, "Visit", "q", 0))).start();
        assertEquals(2, fx.counter().count(), "ticket with its conversation ensured and locked; message opening its run");
        FinishTurn finish = finish(start, a).text("answer").images(image("t", "a", "/p", 1.0), image("u", "b", "/q", 0.5))
                .sources(source("s", "u", 0.5)).suggestions("one", "two", "three").build();
        fx.counter().reset();
        Message answer = fx.tx(s -> TurnRepository.finish(s, finish)).orElseThrow().assistantMessage().orElseThrow();
        assertEquals(2, fx.counter().count(), "run closed with the conversation locked; message with its children");
        Message reloaded = fx.tx(s -> ConversationRepository.load(s, ticket, a)).orElseThrow().messages().getLast();
        assertEquals(answer, reloaded);
        assertEquals(List.of("t", "u"), reloaded.images().stream().map(MessageImage::title).toList(), "in the given order");
        assertEquals(List.of("one", "two", "three"), reloaded.suggestions());
    }

    // ---- conversations

    @Test
    void listIsKeysetPaginatedNewestFirst() {
        String a = newUser();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String title = "c" + i;
            ids.add(fx.tx(s -> ConversationRepository.createGeneral(s, a, title)).id());
        }
        // touch the second one: it becomes the newest
        fx.tx(s -> TurnRepository.begin(s, ids.get(1), a, "bump", 0)).orElseThrow();
        List<String> expected = new ArrayList<>(List.of(ids.get(1), ids.get(4), ids.get(3), ids.get(2), ids.get(0)));

        List<String> seen = new ArrayList<>();
        ConversationCursor cursor = null;
        int pages = 0;
        do {
            ConversationCursor after = cursor;
            ConversationPage page = fx.tx(s -> ConversationRepository.list(s, a, 2, after));
            page.items().forEach(c -> seen.add(c.id()));
            cursor = page.next() == null ? null : ConversationCursor.decode(page.next().encode());
            pages++;
        } while (cursor != null);
        assertEquals(expected, seen);
        assertEquals(3, pages);
        assertEquals(5, fx.tx(s -> ConversationRepository.list(s, a, 100, null)).items().size());
        assertNull(fx.tx(s -> ConversationRepository.list(s, a, 5, null)).next());
        String stranger = newUser();
        assertTrue(fx.tx(s -> ConversationRepository.list(s, stranger, 10, null)).items().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> fx.tx(s -> ConversationRepository.list(s, a, 0, null)));
        assertThrows(IllegalArgumentException.class, () -> fx.tx(s -> ConversationRepository.list(s, a, 101, null)));
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
        TurnStart start = fx.tx(s -> TurnRepository.beginNewGeneral(s, a, "old", "q", 0));
        String id = start.conversationId();
        FinishTurn answered = finish(start, a).text("a").images(image("t", "x", "/p", 1.0)).sources(source("s", "u", 0.2))
                .suggestions("more").build();
        fx.tx(s -> TurnRepository.finish(s, answered)).orElseThrow();

        assertTrue(fx.tx(s -> ConversationRepository.rename(s, id, b, "stolen")).isEmpty());
        Conversation renamed = fx.tx(s -> ConversationRepository.rename(s, id, a, "new")).orElseThrow();
        assertEquals("new", renamed.title());

        assertEquals(false, fx.tx(s -> ConversationRepository.delete(s, id, b)));
        assertTrue(conversation(id, a).isPresent());
        assertEquals(true, fx.tx(s -> ConversationRepository.delete(s, id, a)));
        assertTrue(conversation(id, a).isEmpty());
        assertEquals(0, longQuery("SELECT count(*) FROM messages WHERE conversation_id = ?", id));
        assertEquals(0, longQuery("SELECT count(*) FROM runs WHERE conversation_id = ?", id));
        assertEquals(0, longQuery("SELECT (SELECT count(*) FROM message_images WHERE message_id NOT IN (SELECT id FROM messages))"
                + " + (SELECT count(*) FROM message_sources WHERE message_id NOT IN (SELECT id FROM messages))"
                + " + (SELECT count(*) FROM message_suggestions WHERE message_id NOT IN (SELECT id FROM messages))"
                + " + length(?)", ""));
        assertEquals(false, fx.tx(s -> ConversationRepository.delete(s, id, a)));
    }

    @Test
    void feedbackOnlyOnAssistantMessagesOfOwnConversations() {
        String a = newUser();
        String b = newUser();
        TurnStart start = fx.tx(s -> TurnRepository.beginNewGeneral(s, a, "f", "q", 0));
        FinishTurn answered = finish(start, a).text("a").build();
        Message answer = fx.tx(s -> TurnRepository.finish(s, answered)).orElseThrow().assistantMessage().orElseThrow();

        assertEquals(new MessageFeedback(answer.id(), "like"), fx.tx(s -> MessageRepository.setFeedback(s, answer.id(), a, "like")).orElseThrow());
        assertTrue(fx.tx(s -> MessageRepository.setFeedback(s, answer.id(), b, "dislike")).isEmpty());
        assertTrue(fx.tx(s -> MessageRepository.setFeedback(s, start.userMessage().id(), a, "like")).isEmpty());
        assertTrue(fx.tx(s -> MessageRepository.setFeedback(s, "no-such-message", a, "like")).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> fx.tx(s -> MessageRepository.setFeedback(s, answer.id(), a, "love")));
        assertEquals("like", fx.tx(s -> ConversationRepository.load(s, start.conversationId(), a)).orElseThrow().messages().get(1).feedback());
        assertEquals(new MessageFeedback(answer.id(), null), fx.tx(s -> MessageRepository.setFeedback(s, answer.id(), a, null)).orElseThrow());
    }

    // ---- reload round trips

    @Test
    void reloadIsOneRoundTripWhateverTheMessageCount() {
        String a = newUser();
        for (int turnsWanted : new int[] {1, 40}) {
            String title = "n" + turnsWanted;
            TurnStart first = fx.tx(s -> TurnRepository.beginNewGeneral(s, a, title, "q0", 0));
            String id = first.conversationId();
            for (int i = 0; i < turnsWanted; i++) {
                String question = "q" + i;
                TurnStart start = i == 0 ? first : fx.tx(s -> TurnRepository.begin(s, id, a, question, 0)).orElseThrow();
                FinishTurn finish = finish(start, a).text("a" + i)
                        .images(image("t" + i, "x", "/p" + i, 0.5), image("u" + i, "y", "/q", 0.4))
                        .sources(source("s" + i, "uri" + i, 0.9)).suggestions("s1-" + i, "s2-" + i, "s3-" + i).build();
                fx.tx(s -> TurnRepository.finish(s, finish)).orElseThrow();
            }
            fx.counter().reset();
            ConversationDetail detail = fx.tx(s -> ConversationRepository.load(s, id, a)).orElseThrow();
            // one JDBC execution sending the three statements (GenericPlanTest counts them)
            assertEquals(1, fx.counter().count(), "reload of " + turnsWanted + " turns");
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
        assertEquals(Optional.empty(), fx.tx(s -> ConversationRepository.load(s, "missing", a)));
        assertEquals(1, fx.counter().count());
    }
}
