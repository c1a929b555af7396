package io.tenantgate.control.metrics;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.ServerBudgets;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.Management;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outsiders and operators cannot grow tenantgate's state: made-up HTTP methods and paths add no
 * metric series, and probing hosts through the admin API answers 422 tenant-database-unreachable
 * for every kind of unreachable server while leaving no server budget and no series behind.
 */
@QuarkusTest
class BoundedStateTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    ServerBudgets budgets;

    private static List<String> series(String prefix) {
        String text = Management.given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                lines.add(line.substring(0, line.lastIndexOf(' ')));
            }
        }
        return lines;
    }

    @Test
    void aFloodOfMadeUpMethodsAndPathsAddsNoMetricSeries() throws Exception {
        // Warm the labels that legitimate odd requests produce, then measure what a flood adds.
        send("FROBNICATE", "/api/customers");
        send("FROBNICATE", "/no/such/path");
        send("GET", "/no/such/path");
        int before = series("http_server_requests").size();
        for (int i = 0; i < 600; i++) {
            String method = "M" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toUpperCase();
            send(method, i % 2 == 0 ? "/api/customers" : "/" + UUID.randomUUID() + "?q=" + i);
            send("GET", "/x" + i + "/" + UUID.randomUUID());
        }
        List<String> after = series("http_server_requests");
        assertTrue(after.size() <= before, "600 made-up methods and 600 unknown paths added "
                + (after.size() - before) + " http_server_requests series: " + after);
        assertTrue(after.stream().anyMatch(s -> s.contains("method=\"OTHER\"")), "made-up methods count as OTHER");
    }

    private void send(String method, String path) throws IOException, InterruptedException {
        HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void probingUnreachableHostsIsAlways422UnreachableAndLeavesNoBudgetOrSeriesBehind() throws Exception {
        EmbeddedServer postgres = RealDatabases.servers().postgres();
        EmbeddedServer mariadb = RealDatabases.servers().mariadb();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket babbler = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread.ofVirtual().start(() -> acceptAndSay(silent, held, null));
            Thread.ofVirtual().start(() -> acceptAndSay(babbler, held, "HTTP/1.1 400 Bad Request\r\n\r\nnot a database\n"));
            Map<String, Object[]> probes = new HashMap<>();
            probes.put("closed port", new Object[] {"POSTGRESQL", "127.0.0.1", closedPort()});
            probes.put("unknown host", new Object[] {"MYSQL", "no-such-host.invalid", 3306});
            probes.put("MySQL kind at a PostgreSQL server", new Object[] {"MYSQL", postgres.host(), postgres.port()});
            probes.put("PostgreSQL kind at a MariaDB server", new Object[] {"POSTGRESQL", mariadb.host(), mariadb.port()});
            probes.put("MySQL kind at the HTTP API", new Object[] {"MYSQL", "127.0.0.1", port});
            probes.put("PostgreSQL kind at the HTTP API", new Object[] {"POSTGRESQL", "127.0.0.1", port});
            probes.put("MySQL kind at a server that says nothing", new Object[] {"MYSQL", "127.0.0.1", silent.getLocalPort()});
            probes.put("PostgreSQL kind at a server that says nothing",
                    new Object[] {"POSTGRESQL", "127.0.0.1", silent.getLocalPort()});
            probes.put("MySQL kind at a server speaking another protocol",
                    new Object[] {"MYSQL", "127.0.0.1", babbler.getLocalPort()});
            probes.put("PostgreSQL kind at a server speaking another protocol",
                    new Object[] {"POSTGRESQL", "127.0.0.1", babbler.getLocalPort()});
            List<String> probed = new ArrayList<>();
            probes.forEach((what, target) -> {
                String key = "probe-" + UUID.randomUUID().toString().substring(0, 8);
                long started = System.nanoTime();
                String type = given().auth().oauth2(TestTokens.operator()).contentType(ContentType.JSON)
                        .body(Map.of("key", key, "displayName", "Probe", "kind", target[0], "host", target[1],
                                "port", target[2], "database", "nothing", "username", "nobody", "password", "nothing",
                                "tlsMode", "DISABLED"))
                        .when().post("/admin/tenants").then().statusCode(422).contentType("application/problem+json")
                        .extract().path("type");
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals("urn:tenantgate:problem:tenant-database-unreachable", type, what);
                assertTrue(millis < 15_000, what + " took " + millis + " ms to be refused");
                probed.add(target[1] + ":" + target[2]);
            });
            held.forEach(socket -> {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            });
            List<String> strangers = probed.stream().filter(server -> !server.equals(postgres.host() + ":" + postgres.port())
                    && !server.equals(mariadb.host() + ":" + mariadb.port())).toList();
            assertTrue(Await.until(() -> strangers.stream().noneMatch(s -> budgets.all().containsKey(s)), 20),
                    "the probed servers' budgets are forgotten: " + budgets.all().keySet());
            assertTrue(Await.until(() -> series("tenantgate_server").stream()
                            .noneMatch(line -> strangers.stream().anyMatch(s -> line.contains("server=\"" + s + "\""))), 20),
                    "no series names a probed server: " + series("tenantgate_server"));
            assertEquals(0, strangers.stream().filter(s -> budgets.all().containsKey(s)).count());
        }
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Accepts connections; writes {@code greeting} if given, then says nothing more. */
    private static void acceptAndSay(ServerSocket listener, List<Socket> held, String greeting) {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                synchronized (held) {
                    held.add(socket);
                }
                if (greeting != null) {
                    socket.getOutputStream().write(greeting.getBytes());
                    socket.getOutputStream().flush();
                }
            } catch (IOException e) {
                return;
            }
        }
    }
}
