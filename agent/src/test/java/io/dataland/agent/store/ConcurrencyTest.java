package io.dataland.agent.store;

import static io.dataland.agent.testing.TestData.claims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.dataland.agent.chat.MuseumStart;
import io.dataland.agent.chat.TurnRepository;
import io.dataland.agent.conversation.ConversationRepository;
import io.dataland.agent.message.Message;
import io.dataland.agent.message.MessageRepository;
import io.dataland.agent.message.NewMessage;
import io.dataland.agent.ticket.TicketRegistration;
import io.dataland.agent.user.User;
import io.dataland.agent.user.UserClaims;
import io.dataland.agent.user.UserRepository;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Concurrent writers on one conversation, one ticket, one user: no gap, no duplicate, no error. */
@ExtendWith(EmbeddedPostgresExtension.class)
class ConcurrencyTest {

    private static DbFixture fx;

    @BeforeAll
    static void setUp(TestDatabase db) {
        fx = DbFixture.open(db, 16);
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    /** Runs {@code n} tasks released together; returns their results (any exception fails the test). */
    private static <T> List<T> race(int n, java.util.function.IntFunction<Callable<T>> task) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<T> work = task.apply(i);
                futures.add(pool.submit(() -> {
                    go.await();
                    return work.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }

    @Test
    void hundredConcurrentAppendsGetSeqOneToHundred() throws Exception {
        String sub = UserRepository.getOrCreate(fx.db(), claims("racer").build()).id();
        String id = fx.tx(s -> ConversationRepository.createGeneral(s, sub, "race")).id();

        List<Message> appended = race(100, i -> () ->
                fx.tx(s -> MessageRepository.append(s, id, sub, NewMessage.user("m" + i, null))).orElseThrow());

        assertEquals(IntStream.rangeClosed(1, 100).boxed().toList(), appended.stream().map(Message::seq).sorted().toList());
        try (Connection c = fx.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM messages WHERE conversation_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(List.of(100, 100, 1, 100), List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)));
            }
        }
    }

    @Test
    void firstMuseumTurnsRacingOnOneTicketRegisterItOnce() throws Exception {
        String owner = UserRepository.getOrCreate(fx.db(), claims("museum-owner").build()).id();
        String ticket = "T-" + UUID.randomUUID();

        List<MuseumStart> starts = race(20, i -> () -> fx.tx(s -> TurnRepository.beginMuseum(s, owner, ticket, null, "q" + i, 0)));
        List<MuseumStart.Started> started = starts.stream().map(s -> assertInstanceOf(MuseumStart.Started.class, s)).toList();
        assertEquals(1, started.stream().filter(s -> s.registration() == TicketRegistration.REGISTERED).count());
        assertEquals(IntStream.rangeClosed(1, 20).boxed().toList(),
                started.stream().map(s -> s.start().userMessage().seq()).sorted().toList());
    }

    @Test
    void usersRacingForOneNewTicketGetOneWinner() throws Exception {
        List<String> subs = IntStream.range(0, 12)
                .mapToObj(i -> UserRepository.getOrCreate(fx.db(), claims("rival-" + i).build()).id()).toList();
        String ticket = "T-" + UUID.randomUUID();

        List<MuseumStart> starts = race(subs.size(), i -> () ->
                fx.tx(s -> TurnRepository.beginMuseum(s, subs.get(i), ticket, null, "mine", 0)));
        assertEquals(1, starts.stream().filter(MuseumStart.Started.class::isInstance).count());
        assertEquals(subs.size() - 1, starts.stream().filter(MuseumStart.OwnedByOtherUser.class::isInstance).count());
    }

    @Test
    void museumTurnsRacingOnAGeneralConversationsIdAllChangeNothing() throws Exception {
        String owner = UserRepository.getOrCreate(fx.db(), claims("general-owner-" + UUID.randomUUID()).build()).id();
        String other = UserRepository.getOrCreate(fx.db(), claims("general-other-" + UUID.randomUUID()).build()).id();
        String id = fx.tx(s -> TurnRepository.beginNewGeneral(s, owner, "general", "hi", 0)).conversationId();

        // the owner's requests and another user's, interleaved: each one is refused, none registers the ticket
        List<MuseumStart> starts = race(12, i -> () ->
                fx.tx(s -> TurnRepository.beginMuseum(s, i % 2 == 0 ? owner : other, id, null, "q" + i, 0)));
        starts.forEach(start -> assertInstanceOf(MuseumStart.IdTaken.class, start));
        assertEquals(0, count("SELECT count(*) FROM tickets WHERE id = ?", id));
        assertEquals(1, count("SELECT count(*) FROM messages WHERE conversation_id = ?", id));
    }

    private static long count(String sql, String arg) throws Exception {
        try (Connection c = fx.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void firstRequestsOfOneSubRacingAllGetTheRow() throws Exception {
        String sub = "sub-" + UUID.randomUUID();
        UserClaims claims = claims(sub).email(sub + "@example.org").fullName("Name").build();
        List<User> rows = race(16, i -> () -> UserRepository.getOrCreate(fx.db(), claims));
        rows.forEach(u -> assertEquals(sub, u.id()));
        rows.forEach(u -> assertEquals(sub + "@example.org", u.email()));
    }
}
