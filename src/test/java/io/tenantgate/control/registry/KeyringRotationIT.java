package io.tenantgate.control.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.PackagedReplica;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.SteadyLoad;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The credentials key rotates the way docs/operations.md says, on packaged replicas sharing one
 * registry, while every tenant with an inline password is under load, and no request fails:
 * <ol>
 *   <li>replica 1 knows the new key but still seals under the old one; replica 2 already seals under
 *       the new one (the middle of the rollout that makes it current); a tenant added through
 *       replica 2 is served by replica 1;</li>
 *   <li>re-encryption through replica 2 moves every stored password under the new key, which every
 *       replica's census reports the same;</li>
 *   <li>replica 3, with the old key retired, starts and serves every tenant; a replica that knows
 *       only the old key is refused at start-up, naming how many tenants it could not read.</li>
 * </ol>
 * The suite's own instance knows only the old key, so the test finally re-encrypts everything back
 * under it (the same procedure the other way) and removes the tenants it added.
 */
@QuarkusIntegrationTest
class KeyringRotationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = TestTokens.operator();
    private static final String PATH = "/api/customers?size=5";

    @Test
    void theKeyRotatesAcrossReplicasUnderLoadWithoutAFailedRequest() throws Exception {
        DemoServers servers = RealDatabases.servers();
        String legacy = servers.config().get("tenantgate.credentials.key");
        String newKey = CredentialCipher.newKey();
        Map<String, String> knowsNew = Map.of("tenantgate.credentials.keys", "k2027:" + newKey,
                "tenantgate.credentials.current-key", CredentialCipher.LEGACY);
        Map<String, String> sealsNew = Map.of("tenantgate.credentials.keys", "k2027:" + newKey,
                "tenantgate.credentials.current-key", "k2027");
        Map<String, String> oldRetired = Map.of("tenantgate.credentials.key", "",
                "tenantgate.credentials.keys", "k2027:" + newKey);
        List<String> added = new ArrayList<>();
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put(DemoServers.ACME, TestTokens.forTenant(DemoServers.ACME));
        try (PackagedReplica one = PackagedReplica.start("keyring-1", knowsNew);
             PackagedReplica two = PackagedReplica.start("keyring-2", sealsNew)) {
            added.add(addTenant(one, servers.postgres(), "keyring-pg"));
            added.add(addTenant(one, servers.mariadb(), "keyring-my"));
            added.forEach(key -> tokens.put(key, TestTokens.forTenant(key)));
            SteadyLoad loadOne = load(one, tokens);
            SteadyLoad loadTwo = load(two, tokens);
            List<SteadyLoad> loads = new ArrayList<>(List.of(loadOne, loadTwo));
            try {
                // A tenant added through a replica sealing under the new key is served by one that does not.
                String late = addTenant(two, servers.postgres(), "keyring-late");
                added.add(late);
                assertTrue(sealedUnder(late, "v2:k2027:"), "sealed under the new key");
                tokens.put(late, TestTokens.forTenant(late));
                loadOne.clients(late, tokens.get(late), PATH, 2);
                loadTwo.clients(late, tokens.get(late), PATH, 2);

                long stale = census(two).path("notUnderCurrentKey").asLong();
                assertTrue(stale >= 3, "acme and the two tenants added first are under the old key: " + stale);
                assertEquals(202, post(two, "/admin/credentials/re-encrypt"));
                assertTrue(Await.until(() -> census(two).path("notUnderCurrentKey").asLong() == 0
                        && "DONE".equals(census(two).path("reEncryption").path("state").asText()), 60),
                        "every stored password is under the new key: " + census(two));
                // Every replica drops the routes the re-encryption changed (change feed, 2 s) and reads
                // them again, decrypting under the new key, while the load goes on.
                long reloaded = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(6);
                assertTrue(Await.until(() -> List.of(loadOne, loadTwo).stream().allMatch(load -> tokens.keySet().stream()
                        .allMatch(tenant -> load.answers(tenant, reloaded, Long.MAX_VALUE).size() >= 20)), 90),
                        "both replicas kept serving every tenant after re-reading its route");
                JsonNode after = census(two);
                System.out.printf("re-encryption: %s%n", after.path("reEncryption"));
                assertEquals(0, after.path("reEncryption").path("failed").asLong());
                assertEquals(counts(census(two)), counts(census(one)),
                        "every replica reports the same counts, read from the registry");

                // The rollout that retires the old key replaces replicas 1 and 2: their traffic stops and
                // their pools close, so replica 3 is measured on the rotation, not on sharing a budget.
                loadOne.close();
                loadTwo.close();
                for (String tenant : tokens.keySet()) {
                    post(one, "/admin/pools/" + tenant + "/evict");
                    post(two, "/admin/pools/" + tenant + "/evict");
                }
                try (PackagedReplica three = PackagedReplica.start("keyring-3", oldRetired)) {
                    SteadyLoad loadThree = load(three, tokens);
                    loads.add(loadThree);
                    // Every tenant served a while by the replica without the old key.
                    boolean served = Await.until(() -> tokens.keySet().stream()
                            .allMatch(tenant -> loadThree.answers(tenant).size() >= 20), 60);
                    loadThree.close();
                    System.out.printf("replica without the old key: %s%n", SteadyLoad.tally(allAnswers(loadThree, tokens)));
                    assertTrue(served, "the replica without the old key served every tenant");
                }
            } finally {
                for (SteadyLoad load : loads) {
                    load.close();
                }
            }
            Map<String, Long> tally = new java.util.TreeMap<>();
            loads.forEach(load -> SteadyLoad.tally(allAnswers(load, tokens)).forEach((k, v) -> tally.merge(k, v, Long::sum)));
            System.out.printf("requests during the rotation, over %d tenants and 3 replicas: %s%n", tokens.size(), tally);
            assertEquals(Map.of("200", tally.getOrDefault("200", 0L)), tally, "every request succeeded");
            assertTrue(tally.get("200") > 100, "load ran: " + tally);

            // Only the old key: refused at start-up, saying how many tenants it cannot read.
            PackagedReplica.Refusal refusal = PackagedReplica.startRefused("keyring-old-only",
                    Map.of("tenantgate.credentials.key", legacy));
            assertNotEquals(0, refusal.exitCode());
            assertTrue(refusal.log().matches("(?s).*\\d+ tenant\\(s\\) have passwords sealed under key\\(s\\) missing from"
                    + " the keyring \\[legacy\\]: \\{k2027=\\d+\\}.*"), "names the keys and the count: " + tail(refusal.log()));
            assertTrue(!refusal.log().contains(newKey) && !refusal.log().contains(legacy), "never logs a key");

            // Back under the old key, which the suite's own instance knows.
            assertEquals(202, post(one, "/admin/credentials/re-encrypt"));
            assertTrue(Await.until(() -> census(one).path("notUnderCurrentKey").asLong() == 0
                    && "DONE".equals(census(one).path("reEncryption").path("state").asText()), 60),
                    "every stored password is back under the old key: " + census(one));
        } finally {
            for (String key : added) {
                io.restassured.RestAssured.given().auth().oauth2(OPERATOR).delete("/admin/tenants/{key}", key);
            }
        }
    }

    private static SteadyLoad load(PackagedReplica replica, Map<String, String> tokens) {
        SteadyLoad load = new SteadyLoad(replica.port());
        tokens.forEach((tenant, token) -> load.clients(tenant, token, PATH, 2));
        return load;
    }

    private static List<SteadyLoad.Answer> allAnswers(SteadyLoad load, Map<String, String> tokens) {
        List<SteadyLoad.Answer> answers = new ArrayList<>();
        tokens.keySet().forEach(tenant -> answers.addAll(load.answers(tenant)));
        return answers;
    }

    /** A tenant with an inline password on its own database; its key. */
    private static String addTenant(PackagedReplica replica, EmbeddedServer server, String prefix) throws IOException {
        String key = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        String database = key.replace('-', '_');
        String password = UUID.randomUUID().toString().replace("-", "");
        server.createDatabase(database, database, password);
        String body = JSON.writeValueAsString(Map.of("key", key, "displayName", key, "kind", server.kind().name(),
                "host", server.host(), "port", server.port(), "database", database, "username", database,
                "password", password, "tlsMode", "DISABLED", "maxPoolSize", 3));
        var answer = replica.send(HttpRequest.newBuilder(replica.uri("/admin/tenants"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)), OPERATOR);
        assertEquals(201, answer.statusCode(), "tenant " + key + ": " + answer.body());
        return key;
    }

    private static boolean sealedUnder(String tenant, String prefix) {
        return RealDatabases.servers().registry().queryLong("tenantgate", "SELECT COUNT(*) FROM tenant WHERE tenant_key = '"
                + tenant + "' AND password_encrypted LIKE '" + prefix + "%'") == 1;
    }

    private static JsonNode census(PackagedReplica replica) {
        try {
            return JSON.readTree(replica.send(HttpRequest.newBuilder(replica.uri("/admin/credentials")), OPERATOR).body());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** Key id to how many stored passwords it seals; whether it is current is each replica's own setting. */
    private static Map<String, Long> counts(JsonNode census) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        census.path("storedPasswords").forEach(use -> counts.put(use.path("key").asText(), use.path("tenants").asLong()));
        return counts;
    }

    private static int post(PackagedReplica replica, String path) {
        return replica.send(HttpRequest.newBuilder(replica.uri(path)).POST(HttpRequest.BodyPublishers.noBody()), OPERATOR)
                .statusCode();
    }

    private static String tail(String log) {
        return log.length() > 3000 ? log.substring(log.length() - 3000) : log;
    }
}
