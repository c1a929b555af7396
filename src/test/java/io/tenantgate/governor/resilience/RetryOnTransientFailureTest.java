package io.tenantgate.governor.resilience;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection the server ends (KILL / pg_terminate_backend) costs the caller nothing: the call is retried. */
@QuarkusTest
@TestProfile(ResilienceProfile.class)
class RetryOnTransientFailureTest {

    @Inject
    TenantGuards guards;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void aConnectionTerminatedBetweenRequestsDoesNotFailTheNextRequest(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("kill"));
        String token = TestTokens.forTenant(tenant.key());
        EmbeddedServer server = FreshTenants.server(kind);
        for (int round = 0; round < 3; round++) {
            assertEquals("200", LoadClients.call(port, "/api/customers", token));
            assertTrue(server.terminateConnectionsOf(tenant.username()) >= 1, "the server ended the pooled connection");
            assertEquals("200", LoadClients.call(port, "/api/customers", token), "round " + round);
        }
    }

    @BothKinds
    void aConnectionTerminatedMidStatementIsRetriedAndTheCallSucceeds(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("kill"));
        String token = TestTokens.forTenant(tenant.key());
        EmbeddedServer server = FreshTenants.server(kind);
        String running = switch (kind) {
            case POSTGRESQL -> "SELECT COUNT(*) FROM pg_stat_activity WHERE usename = '" + tenant.username()
                    + "' AND query LIKE 'SELECT pg_sleep%' AND state = 'active'";
            case MYSQL -> "SELECT COUNT(*) FROM information_schema.processlist WHERE user = '" + tenant.username()
                    + "' AND info LIKE 'SELECT SLEEP%'";
        };
        long retriesBefore = guards.counters().retries();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> call = threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=800", token));
            assertTrue(Await.until(() -> server.queryLong(running) == 1, 10), "the statement is running");
            assertTrue(server.terminateConnectionsOf(tenant.username()) >= 1);
            assertEquals("200", call.get(30, TimeUnit.SECONDS), "the retry answered");
        }
        assertTrue(guards.counters().retries() > retriesBefore, "the call was retried, not merely lucky");
    }
}
