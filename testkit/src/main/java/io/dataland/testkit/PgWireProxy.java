package io.dataland.testkit;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of PostgreSQL for fault tests that need a connection to die at one exact point of
 * the wire protocol. Everything passes through unchanged until {@link #loseNextCommitAnswer} arms it: then
 * the next COMMIT of a transaction that ran a statement containing a given SQL fragment is forwarded, the
 * server's answer is read up to its {@code CommandComplete "COMMIT"} (so the transaction has committed) and
 * dropped, and both sides are closed: the client sees its connection fail with the COMMIT's outcome unknown,
 * as when PostgreSQL stops between committing and answering.
 *
 * <p>It reads the frontend protocol only (untyped start-up messages, then typed messages): a COMMIT comes as
 * a simple query ({@code Q}) or through the extended protocol, where pgjdbc parses it once per connection
 * into a named statement ({@code P}) and later only binds it ({@code B}), so statements are tracked by name.
 * No TLS: the embedded server has none (pgjdbc's SSLRequest is answered {@code N} and passed through).
 */
public final class PgWireProxy implements AutoCloseable {

    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private static final int CANCEL_REQUEST = 80877102;

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Armed> armed = new AtomicReference<>();

    private record Armed(String fragment, CountDownLatch cut) {
    }

    private PgWireProxy(ServerSocket listener, int targetPort) {
        this.listener = listener;
        this.targetPort = targetPort;
    }

    /** A proxy on a free local port forwarding to PostgreSQL on {@code 127.0.0.1:targetPort}. */
    public static PgWireProxy start(int targetPort) {
        try {
            PgWireProxy proxy = new PgWireProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
            Thread.ofPlatform().daemon().name("pg-proxy-accept").start(proxy::accept);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * Arms the proxy: the next COMMIT of a transaction that ran a statement containing {@code sqlFragment}
     * lands and its answer is lost (see the class comment); the latch opens once that connection is cut.
     */
    public CountDownLatch loseNextCommitAnswer(String sqlFragment) {
        Armed next = new Armed(sqlFragment, new CountDownLatch(1));
        armed.set(next);
        return next.cut();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        sockets.forEach(PgWireProxy::closeQuietly);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                new Connection(client, server).start();
            } catch (IOException e) {
                // closed, or one connection failed to open: the others are unaffected
            }
        }
    }

    /** One client connection and its server connection, one thread per direction. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        /** Statement name to its SQL (pgjdbc binds named statements without sending their text again). */
        private final Map<String, String> statements = new HashMap<>();
        private boolean transactionMatches;
        private volatile Armed losing;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            Thread.ofVirtual().name("pg-proxy-up").start(this::upstream);
            Thread.ofVirtual().name("pg-proxy-down").start(this::downstream);
        }

        /** Client to server, message by message, watching for the armed COMMIT. */
        private void upstream() {
            try (DataInputStream in = new DataInputStream(client.getInputStream());
                 DataOutputStream out = new DataOutputStream(server.getOutputStream())) {
                boolean startingUp = true;
                while (startingUp) {
                    int length = in.readInt();
                    byte[] body = in.readNBytes(length - 4);
                    int code = length >= 8 ? java.nio.ByteBuffer.wrap(body).getInt() : 0;
                    startingUp = code == SSL_REQUEST || code == GSSENC_REQUEST;
                    out.writeInt(length);
                    out.write(body);
                    out.flush();
                    if (code == CANCEL_REQUEST) {
                        return;
                    }
                }
                while (true) {
                    byte type = in.readByte();
                    int length = in.readInt();
                    byte[] body = in.readNBytes(length - 4);
                    watch(type, body);
                    out.writeByte(type);
                    out.writeInt(length);
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                cut();
            }
        }

        /** Notes what the message runs; arms the drop of the server's answer before a matching COMMIT is forwarded. */
        private void watch(byte type, byte[] body) {
            String sql = switch (type) {
                case 'Q' -> cString(body, 0);
                case 'P' -> {
                    String name = cString(body, 0);
                    statements.put(name, cString(body, name.getBytes(StandardCharsets.UTF_8).length + 1));
                    yield null;
                }
                case 'B' -> {
                    String portal = cString(body, 0);
                    yield statements.get(cString(body, portal.getBytes(StandardCharsets.UTF_8).length + 1));
                }
                default -> null;
            };
            if (sql == null) {
                return;
            }
            String statement = sql.strip().toUpperCase(java.util.Locale.ROOT);
            if (statement.equals("COMMIT") || statement.equals("COMMIT;")) {
                Armed now = armed.get();
                if (transactionMatches && now != null && armed.compareAndSet(now, null)) {
                    losing = now;
                }
                transactionMatches = false;
            } else if (statement.startsWith("ROLLBACK")) {
                transactionMatches = false;
            } else {
                Armed now = armed.get();
                transactionMatches |= now != null && sql.contains(now.fragment());
            }
        }

        /** Server to client, raw, until a COMMIT's answer is to be lost: then read up to it and cut. */
        private void downstream() {
            try (InputStream in = server.getInputStream(); var out = client.getOutputStream()) {
                byte[] buffer = new byte[8192];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (losing != null) {
                        // the client sends nothing after its COMMIT until it has the answer: all that
                        // arrives now is the COMMIT's answer
                        awaitCommitted(new DataInputStream(
                                new SequenceInputStream(new ByteArrayInputStream(buffer, 0, n), in)));
                        losing.cut().countDown();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                cut();
            }
        }

        /** Reads (and drops) server messages up to the {@code CommandComplete} of the COMMIT. */
        private static void awaitCommitted(DataInputStream in) throws IOException {
            while (true) {
                byte type = in.readByte();
                byte[] body = in.readNBytes(in.readInt() - 4);
                if (type == 'C' && cString(body, 0).equals("COMMIT")) {
                    return;
                }
                if (type == 'E') {
                    throw new IOException("the COMMIT failed on the server");
                }
            }
        }

        private void cut() {
            closeQuietly(client);
            closeQuietly(server);
            sockets.remove(client);
            sockets.remove(server);
        }
    }

    /** The NUL-terminated string at {@code offset}. */
    private static String cString(byte[] body, int offset) {
        int end = offset;
        while (end < body.length && body[end] != 0) {
            end++;
        }
        return new String(body, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
