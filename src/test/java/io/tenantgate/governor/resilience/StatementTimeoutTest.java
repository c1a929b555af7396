package io.tenantgate.governor.resilience;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every tenant connection carries a server-side statement timeout (PostgreSQL {@code statement_timeout},
 * MariaDB {@code max_statement_time}): the server itself stops a runaway statement, the caller gets a
 * typed 503, and the connection is fit for the next request.
 */
@QuarkusTest
@TestProfile(ResilienceProfile.class)
class StatementTimeoutTest {

    @Inject
    TenantPools pools;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void theServerStopsAStatementPastTheStatementTimeout(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("slow"), 1);
        String token = TestTokens.forTenant(tenant.key());
        // Shorter than the timeout: runs to the end.
        assertEquals("200", LoadClients.call(port, "/test/sleep?ms=200", token));
        long start = System.nanoTime();
        // Longer than the statement timeout (1.5 s) and shorter than the request deadline (3 s).
        String outcome = LoadClients.call(port, "/test/sleep?ms=2500", token);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("statement timeout on %s: %s after %d ms%n", kind, outcome, tookMillis);
        assertEquals("503 tenant-statement-timeout", outcome, "the server, not the deadline, stopped it");
        // The pool's one connection is usable again at once, not busy with the stopped statement.
        assertEquals("200", LoadClients.call(port, "/api/customers", token));
        assertTrue(Await.until(() -> !io.tenantgate.testing.Await.holdsConnection(pools, tenant.key()), 5));
    }
}
