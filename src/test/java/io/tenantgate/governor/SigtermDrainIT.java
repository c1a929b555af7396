package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.testing.AbortedClients;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.PackagedReplica;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pod deletion, on the packaged jar: SIGTERM under a steady load of reads and writes on both
 * database kinds. Readiness turns DOWN first while the instance keeps serving (the clients act as a
 * load balancer would: they stop sending a second after they see readiness DOWN), admitted work
 * finishes, the pools close, and the process exits 0 with no connection left on either server.
 */
@QuarkusIntegrationTest
class SigtermDrainIT {

    /** How late a load balancer may be to notice readiness DOWN; well inside quarkus.shutdown.delay (5 s). */
    private static final long BALANCER_LAG_MILLIS = 1_000;

    @Test
    void sigtermTurnsNotReadyFirstThenDrainsAndExitsZeroWithNoRequestLostAndNoConnectionLeft() throws Exception {
        Map<String, EmbeddedServer> tenants = Map.of("drain-my-" + suffix(), RealDatabases.servers().mariadb(),
                "drain-pg-" + suffix(), RealDatabases.servers().postgres());
        try (PackagedReplica replica = PackagedReplica.start("sigterm")) {
            tenants.forEach((key, server) -> provision(replica, key, server));
            long abortedBefore = AbortedClients.of(RealDatabases.servers().mariadb());

            Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
            LongAdder servedAfterNotReady = new LongAdder();
            AtomicLong notReadyAt = new AtomicLong();
            AtomicInteger stillSending = new AtomicInteger();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String tenant : tenants.keySet()) {
                    String token = TestTokens.forTenant(tenant);
                    for (int i = 0; i < 4; i++) {
                        int client = i;
                        stillSending.incrementAndGet();
                        clients.submit(() -> {
                            for (int n = 0; balancerStillSends(notReadyAt); n++) {
                                int status = client % 2 == 0
                                        ? replica.status("/api/customers?size=5", token)
                                        : create(replica, token, tenant + "-" + client + "-" + n);
                                outcomes.computeIfAbsent(Integer.toString(status), s -> new LongAdder()).increment();
                                if (notReadyAt.get() != 0 && status / 100 == 2) {
                                    servedAfterNotReady.increment();
                                }
                            }
                            stillSending.decrementAndGet();
                            return null;
                        });
                    }
                }
                clients.submit(() -> {
                    while (replica.managementStatus("/q/health/ready") == 200) {
                        Thread.sleep(20);
                    }
                    notReadyAt.set(System.nanoTime());
                    return null;
                });

                Thread.sleep(3_000); // steady load, every pool warm
                long sigtermAt = System.nanoTime();
                replica.process().destroy(); // SIGTERM, as the kubelet sends it
                assertTrue(Await.until(() -> notReadyAt.get() != 0, 5), "readiness turned DOWN after SIGTERM");
                long toNotReady = (notReadyAt.get() - sigtermAt) / 1_000_000;
                assertTrue(replica.process().waitFor(60, TimeUnit.SECONDS), "the process exited within 60 s");
                long toExit = (System.nanoTime() - sigtermAt) / 1_000_000;

                assertEquals(0, replica.process().exitValue(), "exit code after SIGTERM");
                assertTrue(toNotReady < 1_000, "readiness DOWN " + toNotReady + " ms after SIGTERM");
                assertEquals(0, stillSending.get(), "the clients stopped once the balancer moved away");
                long ok = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("2"))
                        .mapToLong(e -> e.getValue().sum()).sum();
                long all = outcomes.values().stream().mapToLong(LongAdder::sum).sum();
                assertEquals(all, ok, "every request sent was served: " + outcomes);
                assertTrue(servedAfterNotReady.sum() > 0, "it kept serving while not ready: " + outcomes);
                for (Map.Entry<String, EmbeddedServer> tenant : tenants.entrySet()) {
                    assertTrue(Await.until(() -> tenant.getValue().connectionsOf(tenant.getKey()) == 0, 5),
                            tenant.getKey() + " has no connection left on its server");
                }
                assertEquals(abortedBefore, AbortedClients.of(RealDatabases.servers().mariadb()),
                        "the pools closed at SIGTERM quit every MariaDB connection cleanly");
                System.out.printf("SIGTERM drain: %,d requests served (%,d after readiness DOWN), 0 failed;"
                                + " not ready after %d ms, exited 0 after %d ms; 0 connections left%n",
                        all, servedAfterNotReady.sum(), toNotReady, toExit);
            }
        }
    }

    /**
     * With nothing in flight, the stop takes the shutdown delay and no more: the HTTP timeout and
     * the pool drain both end as soon as there is nothing left to wait for (Quarkus 3.30 waited the
     * whole timeout, quarkusio/quarkus#51915).
     */
    @Test
    void idleInstanceExitsZeroWithinTheShutdownDelayPlusTwoSeconds() throws Exception {
        long delay = PackagedReplica.prodDuration("quarkus.shutdown.delay").toMillis();
        long timeout = PackagedReplica.prodDuration("quarkus.shutdown.timeout").toMillis();
        assertTrue(timeout > 2_000, "the packaged application has a shutdown timeout (" + timeout
                + " ms) that an idle stop must not wait out");
        try (PackagedReplica replica = PackagedReplica.start("sigterm-idle")) {
            assertEquals(200, replica.status("/api/customers?size=1", TestTokens.forTenant(io.tenantgate.demo.embedded.DemoServers.ACME)));
            long sigtermAt = System.nanoTime();
            replica.process().destroy();
            assertTrue(replica.process().waitFor(delay + 10_000, TimeUnit.MILLISECONDS), "the process exited");
            long toExit = (System.nanoTime() - sigtermAt) / 1_000_000;
            assertEquals(0, replica.process().exitValue(), "exit code after SIGTERM");
            assertTrue(toExit <= delay + 2_000, "an idle instance exited " + toExit + " ms after SIGTERM; the delay is "
                    + delay + " ms and the timeout " + timeout + " ms");
            System.out.printf("SIGTERM idle: exited 0 after %d ms (delay %d ms, timeout %d ms)%n", toExit, delay, timeout);
        }
    }

    /** True until a second after readiness was seen DOWN: a load balancer's lag. */
    private static boolean balancerStillSends(AtomicLong notReadyAt) {
        long down = notReadyAt.get();
        return down == 0 || System.nanoTime() - down < TimeUnit.MILLISECONDS.toNanos(BALANCER_LAG_MILLIS);
    }

    private static int create(PackagedReplica replica, String token, String name) {
        return replica.send(HttpRequest.newBuilder(replica.uri("/api/customers")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"email\":\"" + name
                        + "@drain.example\"}")), token).statusCode();
    }

    /** A database and user of the tenant's own, registered through the replica, so only it connects. */
    private static void provision(PackagedReplica replica, String key, EmbeddedServer server) {
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        String database = key.replace('-', '_');
        server.createDatabase(database, key, password);
        String body = String.format("{\"key\":\"%s\",\"displayName\":\"%s\",\"kind\":\"%s\",\"host\":\"%s\",\"port\":%d,"
                        + "\"database\":\"%s\",\"username\":\"%s\",\"password\":\"%s\",\"tlsMode\":\"DISABLED\"}",
                key, key, server.kind(), server.host(), server.port(), database, key, password);
        int status = replica.send(HttpRequest.newBuilder(replica.uri("/admin/tenants")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), TestTokens.operator()).statusCode();
        assertEquals(201, status, "provisioning " + key);
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 6);
    }
}
