package io.tenantgate.control.registry;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.resilience.TenantGuard;
import io.tenantgate.governor.resilience.TenantGuards;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.CapturedLog;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.SteadyLoad;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant whose password is a {@code file:} reference follows a rotation of its secret file
 * without a restart and without a failed request: the database user's password and the file change
 * together, as a rotation job and the kubelet do, while clients keep calling. The test profile
 * checks the directory only hourly, so what picks the new password up is the re-read after the
 * first rejected log-in, which the tenant's breaker never counts.
 */
@QuarkusTest
class SecretFileRotationTest {

    @Inject
    TenantGuards guards;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private static ValidatableResponse admin(String method, String path, Object body) {
        return given().auth().oauth2(TestTokens.operator()).contentType(ContentType.JSON).body(body)
                .when().request(method, path).then();
    }

    private static Map<String, Object> tenant(EmbeddedServer server, String key, String passwordRef) {
        return new HashMap<>(Map.of("key", key, "displayName", "Rotor", "kind", server.kind().name(),
                "host", server.host(), "port", server.port(), "database", key.replace('-', '_'), "username", key,
                "passwordRef", passwordRef, "tlsMode", "DISABLED", "maxPoolSize", 12));
    }

    /** ALTER USER on the real server, as a rotation job would; the old password stops working for new log-ins. */
    private static void changePassword(EmbeddedServer server, String user, String password) {
        String database = user.replace('-', '_');
        if (server.kind() == DatabaseKind.POSTGRESQL) {
            server.executeIn(database, "ALTER ROLE \"" + user + "\" PASSWORD '" + password + "'");
        } else {
            server.executeIn(database, "ALTER USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
        }
    }

    @BothKinds
    void aSecretFileRotatedWithTheDatabasePasswordUnderLoadFailsNoRequestAndOpensNoBreaker(DatabaseKind kind)
            throws Exception {
        EmbeddedServer server = FreshTenants.server(kind);
        String key = FreshTenants.key("rotor");
        String before = SecretsLedger.record(UUID.randomUUID().toString());
        String after = SecretsLedger.record(UUID.randomUUID().toString());
        server.createDatabase(key.replace('-', '_'), key, before);
        SecretFilesTest.mount(RealDatabases.secretsDir(), key + "-1", key, before);
        admin("POST", "/admin/tenants", tenant(server, key, "file:" + key)).statusCode(201);

        long opened = guards.counters().transitions(CircuitBreakerState.OPEN);
        String token = TestTokens.forTenant(key);
        try (CapturedLog directory = CapturedLog.of(TenantDirectory.class.getName());
             CapturedLog breakers = CapturedLog.of(TenantGuard.class.getName());
             SteadyLoad load = new SteadyLoad(port)) {
            load.clients("rotation", token, "/api/customers?size=5", 2);
            Thread.sleep(1_500); // warm: the pool holds what two clients need, logged in with the old password
            changePassword(server, key, after);
            SecretFilesTest.mount(RealDatabases.secretsDir(), key + "-2", key, after);
            // More clients than the pool has connections: new log-ins, the first with the old password.
            load.clients("rotation", token, "/api/customers?size=5", 6);
            Thread.sleep(3_000);
            load.close();

            List<SteadyLoad.Answer> answers = load.answers("rotation");
            Map<String, Long> outcomes = SteadyLoad.tally(answers);
            System.out.printf("secret file rotation on %s: %d requests, outcomes %s%n", kind, answers.size(), outcomes);
            assertEquals(Map.of("200", (long) answers.size()), outcomes, "no request failed");
            assertTrue(answers.size() > 100, "under load: " + answers.size());
            long renewals = directory.lines().stream()
                    .filter(l -> l.contains("tenant " + key + ": its database rejected the password")).count();
            assertTrue(renewals >= 1, "a log-in with the old password was rejected and the file read again");
            assertEquals(List.of(), breakers.lines().stream().filter(l -> l.contains("tenant " + key + " ")).toList(),
                    "the tenant's breaker never changed state");
            assertEquals(opened, guards.counters().transitions(CircuitBreakerState.OPEN), "no breaker opened");
        }
        // The file is the only place the new password comes from: the registry still holds only the reference.
        given().auth().oauth2(TestTokens.operator()).get("/admin/tenants/" + key).then().statusCode(200)
                .body("passwordRef", equalTo("file:" + key));
        given().auth().oauth2(token).get("/api/customers").then().statusCode(200);
    }

    @Test
    void aFileReferenceToAnotherTenantsFileOrOutsideTheDirectoryIsRefusedAtCreation() throws Exception {
        EmbeddedServer server = FreshTenants.server(DatabaseKind.POSTGRESQL);
        String key = FreshTenants.key("nosy");
        String victim = FreshTenants.key("victim");
        SecretFilesTest.mount(RealDatabases.secretsDir(), victim + "-1", victim, "victim-password");
        for (String ref : List.of("file:" + victim, "file:" + key + "x", "file:" + victim + "." + key)) {
            admin("POST", "/admin/tenants", tenant(server, key, ref)).statusCode(422)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:tenantgate:problem:password-reference-not-allowed"));
        }
        for (String ref : List.of("file:../" + victim, "file:" + key + "/../" + victim, "file:/etc/passwd",
                "file:..data/" + victim, "file:" + key + ".x/y")) {
            admin("POST", "/admin/tenants", tenant(server, key, ref)).statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:tenantgate:problem:validation"));
        }
        admin("POST", "/admin/tenants", tenant(server, key, "file:" + key)).statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:password-reference-unresolved"));
        given().auth().oauth2(TestTokens.operator()).get("/admin/tenants/" + key).then().statusCode(404);
    }
}
