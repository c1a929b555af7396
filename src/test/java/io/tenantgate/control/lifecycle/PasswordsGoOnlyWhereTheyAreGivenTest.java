package io.tenantgate.control.lifecycle;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.testing.FakePostgresServer;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An operator cannot make tenantgate send a tenant's stored password, or another tenant's secret,
 * to a server of their choosing: a fake PostgreSQL that asks every client for its password in clear
 * text sees no connection at all for such requests, and they are 422 and change nothing. The
 * credential goes only where it is given in the same request.
 */
@QuarkusTest
class PasswordsGoOnlyWhereTheyAreGivenTest {

    private static ValidatableResponse admin(String method, String path, Object body) {
        var request = given().auth().oauth2(TestTokens.operator()).contentType(ContentType.JSON);
        return (body == null ? request : request.body(body)).when().request(method, path).then();
    }

    private static void problem(ValidatableResponse response, String type) {
        response.statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:" + type));
    }

    @Test
    void aChangeOfWhereThePasswordGoesNeedsItAgainAndReferencesNameOnlyTheTenantsOwnSecret() throws Exception {
        EmbeddedServer postgres = RealDatabases.servers().postgres();
        String key = FreshTenants.key("exfil");
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        postgres.createDatabase(key.replace('-', '_'), key, password);
        Map<String, Object> tenant = new HashMap<>(Map.of("key", key, "displayName", "Exfil", "kind", "POSTGRESQL",
                "host", postgres.host(), "port", postgres.port(), "database", key.replace('-', '_'), "username", key,
                "password", password, "tlsMode", "DISABLED"));
        admin("POST", "/admin/tenants", tenant).statusCode(201);

        try (FakePostgresServer fake = new FakePostgresServer()) {
            // New connection details without the credential: 422, nothing stored, nothing connects.
            problem(admin("PATCH", "/admin/tenants/" + key, Map.of("host", "127.0.0.1", "port", fake.port())),
                    "tenant-credentials-required");
            problem(admin("PATCH", "/admin/tenants/" + key, Map.of("port", fake.port(), "username", "someone")),
                    "tenant-credentials-required");
            problem(admin("PATCH", "/admin/tenants/" + key, Map.of("database", "elsewhere")),
                    "tenant-credentials-required");
            admin("GET", "/admin/tenants/" + key, null).statusCode(200).body("port", equalTo(postgres.port()))
                    .body("username", equalTo(key)).body("database", equalTo(key.replace('-', '_')));

            // References name the tenant's own secret only; another tenant's is refused before any connect.
            problem(admin("PATCH", "/admin/tenants/" + key, Map.of("host", "127.0.0.1", "port", fake.port(),
                    "passwordRef", "config:" + DemoServers.GLOBEX_SECRET)), "password-reference-not-allowed");
            Map<String, Object> thief = new HashMap<>(tenant);
            String thiefKey = FreshTenants.key("thief");
            thief.putAll(Map.of("key", thiefKey, "port", fake.port(), "host", "127.0.0.1"));
            thief.remove("password");
            for (String ref : List.of("config:" + DemoServers.GLOBEX_SECRET, "env:TENANT_SECRET_GLOBEX",
                    "config:tenantgate.tenant-secrets." + thiefKey + "x", "config:tenantgate.registry.password")) {
                thief.put("passwordRef", ref);
                problem(admin("POST", "/admin/tenants", thief), "password-reference-not-allowed");
            }
            // Its own reference, but nothing behind it yet: 422 now rather than a 503 at the first request.
            thief.put("passwordRef", "config:tenantgate.tenant-secrets." + thiefKey);
            problem(admin("POST", "/admin/tenants", thief), "password-reference-unresolved");
            admin("GET", "/admin/tenants/" + thiefKey, null).statusCode(404);
            assertEquals(0, fake.connections(), "no request above reached the fake server");

            // With the credential given in the same request it goes there, and only it.
            String decoy = SecretsLedger.record("decoy-" + UUID.randomUUID());
            problem(admin("PATCH", "/admin/tenants/" + key, Map.of("host", "127.0.0.1", "port", fake.port(),
                    "password", decoy)), "tenant-credentials-rejected");
            assertEquals(List.of(decoy), fake.passwords().stream().distinct().toList(),
                    "the fake server got the password given with the change, never the stored one");
        }
        // The tenant still works with its stored details.
        given().auth().oauth2(TestTokens.forTenant(key)).when().get("/api/customers").then().statusCode(200);
    }
}
