package io.tenantgate.governor.tls;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;
import io.tenantgate.control.lifecycle.NewTenant;
import io.tenantgate.control.lifecycle.TenantProvisioner;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.ServerBudget;
import io.tenantgate.governor.ServerBudgets;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.TenantApi;
import io.tenantgate.testing.TestTokens;
import io.tenantgate.testing.TlsOnlyDatabases;
import io.tenantgate.testing.TlsServers;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS to tenant databases while the service runs: a CA bundle replaced on disk (a provider's CA
 * rotation, a Kubernetes Secret update) is used by the next connection without a restart while
 * open connections keep serving; a server whose certificate stops being trusted is a sick database
 * for its tenant's breaker (503), never a 500; a MariaDB connection moved to another tenant
 * ({@code changeUser}) stays encrypted.
 */
@QuarkusTest
@TestProfile(TlsOnlyDatabases.class)
class TlsAtRunTimeTest {

    @Inject
    TenantPools pools;

    @Inject
    ServerBudgets budgets;

    @Inject
    TenantSql sql;

    @Inject
    TenantProvisioner provisioner;

    @BothKinds
    void aReplacedCaBundleIsTrustedWithoutARestartWhileOpenConnectionsKeepServing(DatabaseKind kind)
            throws InterruptedException {
        TlsToTenantDatabasesTest.Candidate served = TlsToTenantDatabasesTest.onTlsServer(kind, "localhost");
        served.register("VERIFY_FULL").statusCode(201);
        served.isServed(); // its pool now holds an open, verified connection
        String server = "localhost:" + served.port();
        try {
            // The provider rotates: its server presents a certificate of a new CA...
            TlsServers.present(kind, TlsServers.otherCa());
            TlsToTenantDatabasesTest.Candidate next = TlsToTenantDatabasesTest.onTlsServer(kind, "localhost");
            TlsToTenantDatabasesTest.refused(next.register("VERIFY_FULL"), "tenant-database-tls",
                    "not signed by a CA tenantgate trusts");

            // ...and the new bundle, which no longer holds the old CA, replaces the file.
            TlsServers.trust(TlsServers.otherCa());
            assertTrue(acceptedWithin(next, 20),
                    "the tenant on the new CA is accepted once the file is read again, without a restart");
            next.isServed();
            TlsToTenantDatabasesTest.assertEveryTenantSessionEncrypted(kind, next.user());

            // The connection opened under the old CA was not touched: it serves without a connect.
            long connects = pools.connectAttempts(server);
            TenantApi.as(served.key()).get("/api/customers").statusCode(200).body("total", equalTo(1));
            assertEquals(connects, pools.connectAttempts(server), "served on the connection it had");
        } finally {
            resetAndAwaitTrust();
        }
    }

    @BothKinds
    void aServerWhoseCertificateStopsBeingTrustedIsASickDatabaseForItsTenantNeverA500(DatabaseKind kind) {
        TlsToTenantDatabasesTest.Candidate tenant = TlsToTenantDatabasesTest.onTlsServer(kind, "localhost");
        tenant.register("VERIFY_FULL").statusCode(201);
        tenant.isServed();
        try {
            TlsServers.present(kind, TlsServers.otherCa());
            given().auth().oauth2(TestTokens.operator()).when().post("/admin/pools/{tenant}/evict", tenant.key())
                    .then().statusCode(200);
            TenantApi api = TenantApi.as(tenant.key());
            for (int i = 0; i < 12; i++) {
                Response answer = api.get("/api/customers").extract().response();
                assertEquals(503, answer.statusCode(), "a sick database, not " + answer.statusCode() + ": "
                        + answer.asString());
                assertEquals("application/problem+json", answer.contentType());
                assertTrue(answer.header("Retry-After") != null, "with Retry-After");
                String type = answer.jsonPath().getString("type");
                assertTrue(type.endsWith(":tenant-database-unavailable") || type.endsWith(":tenant-unavailable"), type);
            }
            String lastFailure = pools.guardOf(tenant.key()).orElseThrow().lastFailure();
            assertEquals("TLS: the server's certificate is not signed by a trusted CA", lastFailure,
                    "operators see why (the live client reported only that the handshake failed)");
        } finally {
            TlsServers.present(kind, TlsServers.providerCa());
        }
    }

    /**
     * The live connection that proves a tenant holds a permit of its server's budget, and gives it
     * back whether the proof succeeds or is refused (here by a TLS-only server, to a tenant that
     * asked for no TLS).
     */
    @BothKinds
    void provingATenantGivesItsServerPermitBackWhetherAcceptedOrRefused(DatabaseKind kind) throws InterruptedException {
        TlsToTenantDatabasesTest.Candidate refused = TlsToTenantDatabasesTest.onTlsServer(kind, "localhost");
        TlsToTenantDatabasesTest.refused(refused.register("DISABLED"), "tenant-database-tls", "accepts TLS only");
        TlsToTenantDatabasesTest.Candidate accepted = TlsToTenantDatabasesTest.onTlsServer(kind, "localhost");
        accepted.register("VERIFY_FULL").statusCode(201);
        ServerBudget budget = budgets.of("localhost:" + accepted.port());
        assertTrue(io.tenantgate.testing.Await.until(
                        () -> budget.heldBy(refused.key()) == 0 && budget.heldBy(accepted.key()) == 0, 5),
                "no permit held: refused " + budget.heldBy(refused.key()) + ", accepted " + budget.heldBy(accepted.key()));
    }

    @Inject
    DatabaseTls databaseTls;

    /**
     * Puts the servers' certificates and the bundle back as at start, and waits until the
     * application has read the bundle again in every scope (the global one and the servers' own),
     * so the next test finds the provider's CA trusted and the other one not.
     */
    private void resetAndAwaitTrust() throws InterruptedException {
        TlsServers.reset();
        java.security.cert.X509Certificate provider = TlsServers.providerCa().certificate();
        java.security.cert.X509Certificate other = TlsServers.otherCa().certificate();
        List<String> scopes = List.of("localhost:1", "localhost:" + TlsServers.server(DatabaseKind.POSTGRESQL).port(),
                "localhost:" + TlsServers.server(DatabaseKind.MYSQL).port());
        assertTrue(io.tenantgate.testing.Await.until(() -> scopes.stream().allMatch(scope -> {
            List<java.security.cert.X509Certificate> trusted = List.of(databaseTls.attempt(scope, TlsMode.VERIFY_CA)
                    .trustManager().getAcceptedIssuers());
            return trusted.contains(provider) && !trusted.contains(other);
        }), 10), "the application reads the bundle put back");
    }

    /** Registers the tenant (VERIFY_FULL) every 100 ms until it is accepted, for at most {@code seconds}. */
    private static boolean acceptedWithin(TlsToTenantDatabasesTest.Candidate tenant, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (tenant.register("VERIFY_FULL").extract().statusCode() == 201) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** What a session says of itself: its connection, its user, its TLS cipher. */
    private record Session(long id, String user, String cipher) {
    }

    private Session session(TenantRoute tenant) throws Throwable {
        String query = "SELECT CONNECTION_ID(), SUBSTRING_INDEX(CURRENT_USER(), '@', 1), VARIABLE_VALUE"
                + " FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher'";
        return VertxContextSupport.subscribeAndAwait(() -> sql.withConnection(tenant, c -> c.preparedQuery(query)
                .execute().map(rows -> {
                    Row row = rows.iterator().next();
                    return new Session(row.getLong(0), row.getString(1), row.getString(2));
                })));
    }

    private TenantRoute tlsTenantBehindOneConnection() throws Throwable {
        EmbeddedServer mariadb = TlsServers.server(DatabaseKind.MYSQL);
        String key = io.tenantgate.testing.FreshTenants.key("move");
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        mariadb.createDatabase(key.replace('-', '_'), key, password);
        // 127.0.0.1 (VERIFY_CA: the certificate names localhost): a budget of one connection.
        NewTenant tenant = new NewTenant(key, "Tenant " + key, DatabaseKind.MYSQL, "127.0.0.1", mariadb.port(),
                key.replace('-', '_'), key, password, null, TlsMode.VERIFY_CA, null);
        return VertxContextSupport.subscribeAndAwait(() -> provisioner.provision(tenant));
    }

    @Test
    void aMariaDbConnectionMovedToAnotherTlsTenantStaysEncryptedAndServesIt() throws Throwable {
        TenantRoute first = tlsTenantBehindOneConnection();
        TenantRoute second = tlsTenantBehindOneConnection();
        ServerBudget server = budgets.of(first.server());
        assertEquals(1, server.limit(), "one connection for both tenants");

        Session before = session(first);
        assertEquals(first.username(), before.user());
        assertFalse(before.cipher().isEmpty(), "the first tenant's session is encrypted");
        long moves = server.moves();
        long connects = server.connects();

        Session after = session(second);
        assertEquals(before.id(), after.id(), "the same connection, moved");
        assertEquals(second.username(), after.user(), "now the second tenant's session");
        assertEquals(before.cipher(), after.cipher(), "still encrypted, with the cipher it was opened with");
        assertEquals(moves + 1, server.moves(), "one move");
        assertEquals(connects, server.connects(), "no connect");
        TlsToTenantDatabasesTest.assertEveryTenantSessionEncrypted(DatabaseKind.MYSQL, second.username());
        assertNotEquals(0, after.id());
    }
}
