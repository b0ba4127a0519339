package io.dataland.auth.web;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A minimal W3C WebDriver client driving Debian's chromedriver + headless chromium over plain HTTP
 * (no Selenium): a session, navigation, element lookup by CSS, typing, clicking, text, cookies.
 */
final class WebDriver implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final String base;
    private final String session;
    private final Path profile;
    private final HttpClient http = HttpClient.newHttpClient();

    private WebDriver(Process driver, String base, Path profile) throws Exception {
        this.driver = driver;
        this.base = base;
        this.profile = profile;
        waitReady();
        JsonNode created = call("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                "browserName", "chrome",
                "goog:chromeOptions", Map.of("binary", CHROMIUM.toString(), "args", List.of("--headless",
                        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile))))));
        this.session = created.get("sessionId").asText();
        // an element looked up right after a click that navigates (a form POST and its redirect) may not be
        // on the new page yet: the driver waits up to 10 s for it to appear instead of failing at once
        call("POST", "/session/" + session + "/timeouts", Map.of("implicit", 10_000));
    }

    /** Whether both binaries are installed. */
    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Starts chromedriver on a free port and opens a headless chromium session with a fresh profile. */
    static WebDriver start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path profile = Files.createTempDirectory("chromium-profile");
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return new WebDriver(driver, "http://127.0.0.1:" + port, profile);
        } catch (Exception e) {
            driver.destroyForcibly();
            throw e;
        }
    }

    void open(String url) throws Exception {
        call("POST", "/session/" + session + "/url", Map.of("url", url));
    }

    String find(String css) throws Exception {
        return call("POST", "/session/" + session + "/element", Map.of("using", "css selector", "value", css))
                .get(ELEMENT).asText();
    }

    void type(String css, String text) throws Exception {
        String element = find(css);
        call("POST", "/session/" + session + "/element/" + element + "/clear", Map.of());
        call("POST", "/session/" + session + "/element/" + element + "/value", Map.of("text", text));
    }

    void click(String css) throws Exception {
        call("POST", "/session/" + session + "/element/" + find(css) + "/click", Map.of());
    }

    String text(String css) throws Exception {
        return call("GET", "/session/" + session + "/element/" + find(css) + "/text", null).asText();
    }

    String property(String css, String name) throws Exception {
        return call("GET", "/session/" + session + "/element/" + find(css) + "/property/" + name, null).asText();
    }

    String title() throws Exception {
        return call("GET", "/session/" + session + "/title", null).asText();
    }

    String url() throws Exception {
        return call("GET", "/session/" + session + "/url", null).asText();
    }

    /** Every cookie the browser holds for the current page, HttpOnly ones included. */
    JsonNode cookies() throws Exception {
        return call("GET", "/session/" + session + "/cookie", null);
    }

    /** Whether JavaScript on the page can read {@code name} from document.cookie. */
    boolean scriptSeesCookie(String name) throws Exception {
        return call("POST", "/session/" + session + "/execute/sync", Map.of("script",
                "return document.cookie.indexOf(arguments[0] + '=') >= 0;", "args", List.of(name))).asBoolean();
    }

    private JsonNode call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> res = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode value = JSON.readTree(res.body()).get("value");
        if (res.statusCode() != 200) {
            throw new IllegalStateException("WebDriver " + method + " " + path + ": " + res.statusCode() + " " + value);
        }
        return value;
    }

    private void waitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (call("GET", "/status", null).path("ready").asBoolean()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("chromedriver did not become ready");
    }

    @Override
    public void close() {
        try {
            call("DELETE", "/session/" + session, null);
        } catch (Exception e) {
            // the driver goes anyway
        }
        driver.destroy();
        try {
            if (!driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory
        }
    }
}
