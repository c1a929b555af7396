package io.tenantgate.control.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.PackagedReplica;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admin levers act on the whole fleet: three packaged replicas on one registry (the suite's
 * instance and two more), each with a pool for a tenant; an evict through any one of them closes
 * the tenant's pool on all three before it answers, and so does evict-idle; the fleet view shows
 * each replica's pools. A frozen replica
 * (SIGSTOP) is reported pending after {@code tenantgate.admin.fleet-wait}, with 202, and acts once
 * thawed; a stopped one (SIGTERM: its lease is deleted) is not waited for.
 */
@QuarkusIntegrationTest
class FleetAdminIT {

    private static final String OPERATOR = TestTokens.operator();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String GLOBEX = TestTokens.forTenant(DemoServers.GLOBEX);
    private static final String ACME = TestTokens.forTenant(DemoServers.ACME);

    @Test
    void evictFromAnyReplicaClosesTheTenantsPoolOnEveryReplica() throws Exception {
        try (PackagedReplica b = PackagedReplica.start("fleet-b");
             PackagedReplica c = PackagedReplica.start("fleet-c")) {
            Map<String, Integer> ports = new LinkedHashMap<>();
            ports.put("a", RestAssured.port);
            ports.put("b", b.port());
            ports.put("c", c.port());
            Map<String, String> ids = new LinkedHashMap<>();
            ports.forEach((name, port) -> ids.put(name, get(port, "/admin/replicas").path("replicaId").asText()));
            assertTrue(Await.until(() -> ports.values().stream()
                    .allMatch(port -> get(port, "/admin/replicas").path("liveReplicas").asInt() == 3), 30),
                    "every replica sees the three leases");

            // evict through b: every replica has a pool for globex, none has one when the answer comes
            ports.values().forEach(port -> assertEquals("200", LoadClients.call(port, "/api/customers", GLOBEX)));
            ports.values().forEach(port -> assertTrue(pools(port).contains(DemoServers.GLOBEX)));
            long start = System.nanoTime();
            JsonNode fleetView = get(c.port(), "/admin/fleet/pools");
            long viewMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(new TreeSet<>(ids.values()), replicaIds(fleetView), "the fleet view has every replica: " + fleetView);
            fleetView.path("replicas").forEach(r -> assertTrue(r.path("pools").toString().contains(
                    "\"tenant\":\"" + DemoServers.GLOBEX + "\""), "each replica's own pools: " + r));
            start = System.nanoTime();
            HttpResponse<String> evicted = post(b.port(), "/admin/pools/" + DemoServers.GLOBEX + "/evict");
            long evictMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, evicted.statusCode(), evicted.body());
            assertEquals(ids.get("b"), evicted.headers().firstValue("Tenantgate-Replica").orElse(null));
            JsonNode answer = JSON.readTree(evicted.body());
            assertTrue(answer.path("evicted").asBoolean(), evicted.body());
            assertEquals(new TreeSet<>(ids.values()), replicaIds(answer), "every live replica acted: " + evicted.body());
            answer.path("replicas").forEach(r -> assertTrue(r.path("evicted").asBoolean(), "each had a pool: " + r));
            assertEquals(0, answer.path("pending").size(), evicted.body());
            ports.forEach((name, port) -> assertFalse(pools(port).contains(DemoServers.GLOBEX),
                    "replica " + name + " has no pool for globex when the answer comes"));

            // evict-idle through c: acme's idle pool closes everywhere
            ports.values().forEach(port -> assertEquals("200", LoadClients.call(port, "/api/customers", ACME)));
            start = System.nanoTime();
            HttpResponse<String> idle = post(c.port(), "/admin/pools/evict-idle");
            long idleMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, idle.statusCode(), idle.body());
            JsonNode idleAnswer = JSON.readTree(idle.body());
            assertEquals(new TreeSet<>(ids.values()), replicaIds(idleAnswer), idle.body());
            idleAnswer.path("replicas").forEach(r -> assertTrue(r.path("evicted").toString().contains(DemoServers.ACME),
                    "each closed its idle acme pool: " + r));
            ports.forEach((name, port) -> assertFalse(pools(port).contains(DemoServers.ACME),
                    "replica " + name + " has no pool for acme when the answer comes"));

            // c frozen: not acknowledged within the bound, so pending and 202; it acts when thawed
            ports.values().forEach(port -> assertEquals("200", LoadClients.call(port, "/api/customers", GLOBEX)));
            signal(c, "STOP");
            HttpResponse<String> partial;
            long partialMillis;
            try {
                start = System.nanoTime();
                partial = post(RestAssured.port, "/admin/pools/" + DemoServers.GLOBEX + "/evict");
                partialMillis = (System.nanoTime() - start) / 1_000_000;
            } finally {
                signal(c, "CONT");
            }
            assertEquals(202, partial.statusCode(), partial.body());
            JsonNode partialAnswer = JSON.readTree(partial.body());
            assertEquals(new TreeSet<>(List.of(ids.get("a"), ids.get("b"))), replicaIds(partialAnswer), partial.body());
            assertEquals(ids.get("c"), partialAnswer.path("pending").path(0).asText(), partial.body());
            assertTrue(partialMillis >= 5_000, "waited the bound (5 s) for the frozen replica: " + partialMillis);
            assertTrue(Await.until(() -> !pools(c.port()).contains(DemoServers.GLOBEX), 15),
                    "the thawed replica acted on the action it missed");

            // c stopped (SIGTERM deletes its lease): the fleet is a and b, nothing pending
            c.close();
            start = System.nanoTime();
            HttpResponse<String> afterStop = post(b.port(), "/admin/pools/evict-idle");
            long afterStopMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, afterStop.statusCode(), afterStop.body());
            JsonNode afterStopAnswer = JSON.readTree(afterStop.body());
            assertEquals(new TreeSet<>(List.of(ids.get("a"), ids.get("b"))), replicaIds(afterStopAnswer),
                    afterStop.body());
            assertEquals(0, afterStopAnswer.path("pending").size(), afterStop.body());

            System.out.printf("fleet pool view from 3 replicas in %d ms; fleet evict acknowledged by 3 replicas in %d ms; evict-idle in %d ms; with one frozen:"
                    + " 202 after %d ms, pending %s; after a stop, 2 replicas in %d ms%n", viewMillis, evictMillis, idleMillis,
                    partialMillis, partialAnswer.path("pending"), afterStopMillis);
        }
    }

    private static TreeSet<String> replicaIds(JsonNode answer) {
        TreeSet<String> ids = new TreeSet<>();
        answer.path("replicas").forEach(r -> ids.add(r.path("replica").asText()));
        return ids;
    }

    private static String pools(int port) {
        return send(HttpRequest.newBuilder(uri(port, "/admin/pools")).GET()).body();
    }

    private static JsonNode get(int port, String path) {
        try {
            return JSON.readTree(send(HttpRequest.newBuilder(uri(port, path)).GET()).body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> post(int port, String path) {
        return send(HttpRequest.newBuilder(uri(port, path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.header("Authorization", "Bearer " + OPERATOR).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static URI uri(int port, String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static void signal(PackagedReplica replica, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(replica.process().pid())).start();
        assertEquals(0, kill.waitFor());
    }
}
