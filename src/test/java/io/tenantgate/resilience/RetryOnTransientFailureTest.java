package io.tenantgate.resilience;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.lifecycle.TenantProvisioner;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection the server ends (KILL / pg_terminate_backend) costs the caller nothing: the call is retried. */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(ResilienceProfile.class)
class RetryOnTransientFailureTest {

    @Inject
    TenantProvisioner provisioner;

    @Inject
    TenantGuards guards;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aConnectionTerminatedBetweenRequestsDoesNotFailTheNextRequest(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(provisioner, kind, FreshTenants.key("kill"), null);
        String token = TestTokens.forTenant(tenant.key());
        EmbeddedServer server = FreshTenants.server(kind);
        for (int round = 0; round < 3; round++) {
            assertEquals("200", LoadClients.call(port, "/api/customers", token));
            assertTrue(server.terminateConnectionsOf(tenant.username()) >= 1, "the server ended the pooled connection");
            assertEquals("200", LoadClients.call(port, "/api/customers", token), "round " + round);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aConnectionTerminatedMidStatementIsRetriedAndTheCallSucceeds(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(provisioner, kind, FreshTenants.key("kill"), null);
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
