package io.dataland.agent.api;

import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.dataland.agent.testing.AgentHarness;
import io.dataland.testkit.EmbeddedPostgresExtension;
import io.dataland.testkit.TestDatabase;
import io.dataland.testkit.api.ApiClient.Response;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checked-in OpenAPI document and the real routes cannot drift: the operations it lists are exactly
 * the ones the services register, every one of them is routed on a running agent (no router 404), and
 * the running agent serves the document at {@code /openapi}.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class OpenApiDriftTest {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete", "head", "options");

    private static AgentHarness agent;

    @BeforeAll
    static void start(TestDatabase db) {
        agent = AgentHarness.start(db, Map.of());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void documentedOperationsAreExactlyTheRegisteredRoutes() throws Exception {
        assertEquals(registeredRoutes(), documentedOperations());
    }

    @Test
    void everyDocumentedOperationIsRoutedOnTheRunningAgent() throws Exception {
        String token = agent.token("openapi-" + UUID.randomUUID());
        for (String operation : documentedOperations()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1).replace("{id}", "no-such-id");
            Response r = agent.send(agent.request(path, token).header("Content-Type", "application/json")
                    .method(method, java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());
            assertNotEquals("no such resource", r.json().path("message").asText(), operation + " is not routed");
            assertTrue(r.status() != 405, operation);
        }
    }

    @Test
    void theDocumentIsServedAtOpenapi() {
        Response yaml = agent.send(agent.request("/openapi", null).header("Accept", "application/yaml").GET().build());
        assertEquals(200, yaml.status(), yaml.body());
        assertTrue(yaml.body().contains("/v1/chat/museum"), yaml.body());
        assertTrue(yaml.body().contains("ticket_owned_by_other_user"));
        assertTrue(yaml.body().contains("ticket_conflicts_with_conversation"));
    }

    @SuppressWarnings("unchecked")
    private static Set<String> documentedOperations() throws Exception {
        try (InputStream in = OpenApiDriftTest.class.getResourceAsStream("/META-INF/openapi.yaml")) {
            Map<String, Object> doc = new Yaml().load(in);
            Set<String> operations = new TreeSet<>();
            ((Map<String, Map<String, Object>>) doc.get("paths")).forEach((path, item) -> item.keySet().stream()
                    .filter(METHODS::contains)
                    .forEach(method -> operations.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path)));
            return operations;
        }
    }

    /** Every route the API's services register, read by running their routing() against a recorder. */
    private static Set<String> registeredRoutes() {
        Set<String> routes = new TreeSet<>();
        agent.server().api().services().forEach((prefix, service) -> {
            HttpRules recorder = (HttpRules) Proxy.newProxyInstance(HttpRules.class.getClassLoader(),
                    new Class<?>[] {HttpRules.class}, (proxy, method, args) -> {
                        if (METHODS.contains(method.getName()) && args != null && args.length > 0 && args[0] instanceof String path) {
                            String full = path.equals("/") ? prefix : prefix + path;
                            routes.add(method.getName().toUpperCase(java.util.Locale.ROOT) + " " + full);
                        } else if (!method.getName().equals("get") && !METHODS.contains(method.getName())) {
                            throw new AssertionError("unexpected routing call " + method.getName());
                        }
                        return proxy;
                    });
            service.routing(recorder);
        });
        return routes;
    }
}
