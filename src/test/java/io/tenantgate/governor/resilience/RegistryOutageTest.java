package io.tenantgate.governor.resilience;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.ServerProcesses;
import io.tenantgate.testing.TestTokens;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry freezes: tenants already known keep being served from their cached routes without
 * waiting for it; a tenant never seen gets 503 {@code registry-unavailable} after the lookup
 * timeout. The registry is thawed afterwards, so the shared servers stay usable.
 */
@QuarkusTest
@TestProfile(ResilienceProfile.class)
class RegistryOutageTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private final AtomicInteger misuses = new AtomicInteger();
    private final Handler sessionMisuse = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String text = record.getMessage() + (record.getThrown() == null ? "" : record.getThrown().toString());
            if (text.contains("HR000069")) {
                misuses.incrementAndGet();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Test
    void knownTenantsAreServedFromCachedRoutesAndUnknownOnesGet503WhileTheRegistryIsDown() throws Exception {
        String acme = TestTokens.forTenant(DemoServers.ACME);
        String globex = TestTokens.forTenant(DemoServers.GLOBEX);
        String stranger = TestTokens.forTenant("never-seen-" + System.nanoTime());
        assertEquals("200", LoadClients.call(port, "/api/customers", acme));
        assertEquals("200", LoadClients.call(port, "/api/customers", globex));

        Path registry = RealDatabases.servers().registry().dataDirectory();
        Logger.getLogger("").addHandler(sessionMisuse);
        ServerProcesses.freeze(registry);
        List<String> known = new ArrayList<>();
        String unknown;
        long slowestKnownNanos = 0;
        try {
            // Past the route TTL (1 s in this profile): every call below finds an expired route.
            Thread.sleep(1500);
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                known.add(LoadClients.call(port, "/api/customers", i % 2 == 0 ? acme : globex));
                slowestKnownNanos = Math.max(slowestKnownNanos, System.nanoTime() - start);
            }
            unknown = LoadClients.call(port, "/api/customers", stranger);
            // More timed-out lookups than the registry pool has connections: none may be lost.
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 12; i++) {
                    String token = TestTokens.forTenant("never-seen-" + i + "-" + System.nanoTime());
                    threads.submit(() -> LoadClients.call(port, "/api/customers", token));
                }
            }
        } finally {
            ServerProcesses.thaw(registry);
            Logger.getLogger("").removeHandler(sessionMisuse);
        }
        System.out.printf("registry outage: known tenants %s, slowest %.0f ms; unknown tenant: %s%n",
                known.stream().distinct().toList(), slowestKnownNanos / 1e6, unknown);

        assertTrue(known.stream().allMatch("200"::equals), "known tenants are served: " + known);
        assertEquals("503 registry-unavailable", unknown);
        assertTrue(Await.until(() -> "200".equals(LoadClients.call(port, "/api/customers", acme)), 30),
                "served again once the registry is back");
        assertEquals(0, misuses.get(), "timed-out lookups closed their registry sessions on their own thread");
        // The registry pool still has its connections: a burst of lookups of unknown tenants all end in 404.
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> lookups = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String token = TestTokens.forTenant("after-outage-" + i + "-" + System.nanoTime());
                lookups.add(threads.submit(() -> LoadClients.call(port, "/api/customers", token)));
            }
            for (Future<String> lookup : lookups) {
                assertEquals("404", lookup.get(30, TimeUnit.SECONDS));
            }
        }
    }
}
