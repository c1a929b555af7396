package io.tenantgate.control.lifecycle;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.AbortedClients;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.SteadyLoad;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tenants added, read, changed and removed at run time through the admin API, on both kinds. */
@QuarkusTest
class TenantAdminApiTest {

    private static final String OPERATOR = TestTokens.operator();

    @Inject
    TenantPools pools;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private static ValidatableResponse admin(String method, String path, Object body) {
        var request = given().auth().oauth2(OPERATOR).contentType(ContentType.JSON);
        if (body != null) {
            request = request.body(body);
        }
        return request.when().request(method, path).then();
    }

    /** A database and user on the shared server of {@code kind}, and the create request for it. */
    private static Map<String, Object> newTenant(DatabaseKind kind, String key, String password) {
        EmbeddedServer server = FreshTenants.server(kind);
        server.createUser(key, password, 0);
        server.createDatabase(key.replace('-', '_'), key);
        Map<String, Object> body = new HashMap<>();
        body.put("key", key);
        body.put("displayName", "Tenant " + key);
        body.put("kind", kind.name());
        body.put("host", server.host());
        body.put("port", server.port());
        body.put("database", key.replace('-', '_'));
        body.put("username", key);
        body.put("password", password);
        body.put("tlsMode", "DISABLED");
        return body;
    }

    @BothKinds
    void createReadListPatchSuspendAndDelete(DatabaseKind kind) throws Exception {
        String key = FreshTenants.key("adm");
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        admin("POST", "/admin/tenants", newTenant(kind, key, password)).statusCode(201)
                .header("Location", containsString("/admin/tenants/" + key))
                .body("key", equalTo(key)).body("passwordStorage", equalTo("inline"))
                .body(not(containsString(password)));
        admin("GET", "/admin/tenants/" + key, null).statusCode(200).body("status", equalTo("ACTIVE"))
                .body(not(containsString(password))).body(not(containsString("passwordEncrypted")));
        admin("GET", "/admin/tenants?kind=" + kind + "&status=ACTIVE&size=500", null).statusCode(200)
                .body("items.key", hasItem(key));
        DatabaseKind other = kind == DatabaseKind.MYSQL ? DatabaseKind.POSTGRESQL : DatabaseKind.MYSQL;
        admin("GET", "/admin/tenants?kind=" + other + "&size=500", null).statusCode(200)
                .body("items.key", not(hasItem(key)));
        admin("GET", "/admin/tenants?status=SUSPENDED&size=500", null).statusCode(200)
                .body("items.key", not(hasItem(key)));

        // Its users are served at once, without a restart.
        String user = TestTokens.forTenant(key);
        assertEquals("200", LoadClients.call(port, "/api/customers", user));

        // Pool limits change live: the next request builds a pool with the new limit.
        admin("PATCH", "/admin/tenants/" + key, Map.of("maxPoolSize", 2)).statusCode(200).body("maxPoolSize", equalTo(2));
        assertEquals("200", LoadClients.call(port, "/api/customers", user));
        assertEquals(2, pools.snapshot().tenants().stream().filter(t -> t.tenant().equals(key)).findFirst()
                .orElseThrow().max(), "the live pool has the new limit");

        // Suspended: its users get 403 and its pool is closed.
        admin("PATCH", "/admin/tenants/" + key, Map.of("status", "SUSPENDED")).statusCode(200)
                .body("status", equalTo("SUSPENDED"));
        assertFalse(pools.hasPool(key), "the suspended tenant's pool was retired");
        assertEquals("403", LoadClients.call(port, "/api/customers", user));
        admin("PATCH", "/admin/tenants/" + key, Map.of("status", "ACTIVE")).statusCode(200);
        assertEquals("200", LoadClients.call(port, "/api/customers", user));

        // Deleted: pool closed, gone from the registry, its users get 404. The database stays.
        admin("DELETE", "/admin/tenants/" + key, null).statusCode(204);
        assertFalse(pools.hasPool(key));
        admin("GET", "/admin/tenants/" + key, null).statusCode(404).contentType("application/problem+json");
        assertEquals("404", LoadClients.call(port, "/api/customers", user));
        assertEquals(0, FreshTenants.server(kind).queryLong(key.replace('-', '_'), "SELECT COUNT(*) FROM customer"),
                "the tenant's database is left in place");
        admin("DELETE", "/admin/tenants/" + key, null).statusCode(404);
    }

    @BothKinds
    void aBadHostOrAWrongPasswordIs422AndStoresNothing(DatabaseKind kind) {
        String key = FreshTenants.key("bad");
        Map<String, Object> body = newTenant(kind, key, SecretsLedger.record(UUID.randomUUID().toString()));

        Map<String, Object> badHost = new HashMap<>(body);
        badHost.put("port", 1); // nothing listens there: connection refused
        admin("POST", "/admin/tenants", badHost).statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:tenant-database-unreachable"));

        Map<String, Object> wrongPassword = new HashMap<>(body);
        wrongPassword.put("password", "not-the-password");
        admin("POST", "/admin/tenants", wrongPassword).statusCode(422)
                .body("type", equalTo("urn:tenantgate:problem:tenant-credentials-rejected"))
                .body(not(containsString("not-the-password")));

        admin("GET", "/admin/tenants/" + key, null).statusCode(404);
        admin("POST", "/admin/tenants", Map.of("key", "Bad Key")).statusCode(400);
        given().auth().oauth2(TestTokens.forTenant(key)).when().get("/admin/tenants").then().statusCode(403);
    }

    @BothKinds
    void rotatingToNewCredentialsUnderSteadyLoadFailsNoRequest(DatabaseKind kind) throws Exception {
        String key = FreshTenants.key("rot");
        String first = SecretsLedger.record(UUID.randomUUID().toString());
        admin("POST", "/admin/tenants", newTenant(kind, key, first)).statusCode(201);
        // The second credential: a new user for the same database, as alternating-user rotation does.
        EmbeddedServer server = FreshTenants.server(kind);
        String second = SecretsLedger.record(UUID.randomUUID().toString());
        String nextUser = key + "-b";
        server.createUser(nextUser, second, 0);
        server.grantDatabase(key.replace('-', '_'), key, nextUser);

        long created = 0;
        long abortedBefore = kind == DatabaseKind.MYSQL ? AbortedClients.of(server) : 0;
        try (SteadyLoad load = new SteadyLoad(port)) {
            load.clients("rot", TestTokens.forTenant(key), "/api/customers", 4);
            Thread.sleep(1000);
            created = pools.poolsCreated(key);
            admin("PATCH", "/admin/tenants/" + key, Map.of("username", nextUser, "password", second)).statusCode(200)
                    .body("username", equalTo(nextUser));
            assertTrue(Await.until(() -> server.connectionsOf(nextUser) > 0, 10), "the new pool connects as the new user");
            Thread.sleep(1000);
            load.close();
            var tally = SteadyLoad.tally(load.answers("rot"));
            System.out.printf("rotation on %s: %s%n", kind, tally);
            assertEquals(Map.of("200", tally.get("200")), tally, "no request failed during the rotation");
        }
        assertEquals(created + 1, pools.poolsCreated(key), "the pool was replaced once");
        assertTrue(Await.until(() -> server.connectionsOf(key) == 0, 30), "the old pool drained and closed");
        if (kind == DatabaseKind.MYSQL) {
            assertEquals(abortedBefore, AbortedClients.of(server), "the old pool quit its MariaDB connections cleanly");
        }
    }
}
