package io.dataland.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * HAProxy (Debian's {@code haproxy}, 2.6 here) in front of agent replicas, as the fleet runs it:
 * round robin, each replica health-checked on {@code GET /observe/health} every second (HTTP/1.1 with a
 * {@code Host} header: Helidon refuses 2.6's default HTTP/1.0 check without one; a check may take 5 s on a
 * loaded host, a refused connection fails at once; down after 2 failures, up after 2 successes), a request whose connection is refused is re-sent to another replica
 * ({@code retries} + {@code redispatch}: nothing reached the dead one, so nothing runs twice), responses
 * streamed as they come (SSE is not buffered; {@code http-no-delay} sends each event at once), and a
 * JSON 503 when no replica is up. Statistics (CSV) on a second port, for the tests and the figures.
 */
public final class HaProxy implements AutoCloseable {

    private final int port;
    private final int statsPort;
    private final ChildProcess process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HaProxy(int port, int statsPort, ChildProcess process) {
        this.port = port;
        this.statsPort = statsPort;
        this.process = process;
    }

    /** The configuration for {@code backends} (replica ports), listening on {@code port}, stats on {@code statsPort}. */
    public static String config(int port, int statsPort, List<Integer> backends, Path errorFile) {
        String servers = IntStream.range(0, backends.size())
                .mapToObj(i -> "    server agent" + (i + 1) + " 127.0.0.1:" + backends.get(i) + " check")
                .collect(Collectors.joining("\n"));
        return """
                global
                    maxconn 4096

                defaults
                    mode http
                    option http-no-delay
                    timeout connect 2s
                    timeout client 10m
                    timeout server 10m
                    timeout http-request 30s
                    timeout queue 30s
                    timeout check 5s
                    retries 2
                    option redispatch 1

                frontend agent
                    bind 127.0.0.1:%d
                    default_backend agents

                backend agents
                    balance roundrobin
                    option httpchk
                    http-check send meth GET uri /observe/health ver HTTP/1.1 hdr Host localhost
                    http-check expect status 200
                    errorfile 503 %s
                    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2
                %s

                listen stats
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats
                """.formatted(port, errorFile, servers, statsPort);
    }

    /** The body HAProxy answers when no replica is up: the services' JSON error shape. */
    public static String errorFile() {
        String body = "{\"error\":\"service_unavailable\",\"message\":\"no agent replica is available; retry shortly\"}";
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                + "Cache-Control: no-store\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** Writes the configuration under {@code dir} and starts HAProxy on {@code port} (0: a free one). */
    public static HaProxy start(Path executable, Path dir, int port, List<Integer> backends) {
        try {
            int listen = port > 0 ? port : Ports.free();
            int stats = Ports.free();
            Files.createDirectories(dir);
            Path errors = dir.resolve("503.http");
            Files.writeString(errors, errorFile());
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, config(listen, stats, backends, errors));
            ChildProcess process = new ChildProcess("haproxy",
                    List.of(executable.toString(), "-db", "-f", cfg.toString()), dir.resolve("haproxy.log"));
            process.start(listen, Duration.ofSeconds(30));
            return new HaProxy(listen, stats, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure HAProxy", e);
        }
    }

    /** The listening port. */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Each replica's state as HAProxy sees it ({@code agent1} -> {@code UP}, {@code DOWN}, ...). */
    public Map<String, String> serverStates() {
        return stat(17);
    }

    /** How many times HAProxy has chosen each replica for a request ({@code lbtot}; health checks aside). */
    public Map<String, Long> serverSelections() {
        Map<String, Long> out = new HashMap<>();
        stat(30).forEach((k, v) -> out.put(k, Long.parseLong(v)));
        return out;
    }

    /** Column {@code column} of the CSV statistics for each replica. */
    private Map<String, String> stat(int column) {
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> states = new HashMap<>();
            for (String line : res.body().split("\n")) {
                String[] f = line.split(",", -1);
                if (f.length > 17 && f[0].equals("agents") && f[1].startsWith("agent")) {
                    states.put(f[1], f[column]);
                }
            }
            return states;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read HAProxy's statistics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines of its log. */
    public String logTail() {
        return process.tail();
    }

    /** SIGTERM (then SIGKILL). */
    @Override
    public void close() {
        process.stop();
    }
}
