package io.tenantgate.control.metrics;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.resilience.ResilienceProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.platform.problem.ProblemType;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.Management;
import io.tenantgate.testing.MetricSamples;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The governor's meters equal what was done, and per-tenant series stay bounded however many tenants are live. */
@QuarkusTest
@TestProfile(ResilienceProfile.class)
class GovernorMetricsTest {

    @Inject
    TenantPools pools;

    @Inject
    GovernorMetrics metrics;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ConfigProperty(name = "tenantgate.metrics.top-tenants")
    int topTenants;

    @ConfigProperty(name = "tenantgate.budget.default-per-server")
    int defaultBudget;

    private static String scrape() {
        return Management.given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void countersEqualAKnownWorkload() throws Throwable {
        EmbeddedServer mariadb = RealDatabases.servers().mariadb();
        String server = "server=\"" + mariadb.host() + ":" + mariadb.port() + "\"";
        TenantRoute tenant = FreshTenants.provision(DatabaseKind.MYSQL, FreshTenants.key("meter"));
        String token = TestTokens.forTenant(tenant.key());

        // Warm the caller's permissions (one lookup, cached for 10 s) so the count below is the workload's.
        assertEquals("200", LoadClients.call(port, "/api/customers", token));
        String before = scrape();
        for (int i = 0; i < 7; i++) {
            assertEquals("200", LoadClients.call(port, "/api/customers", token));
        }
        // Two statements the server stops at the profile's 1.5 s statement timeout: two typed 503s.
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> slow = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                slow.add(threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=2500", token)));
            }
            for (Future<String> f : slow) {
                assertEquals("503 tenant-statement-timeout", f.get(30, TimeUnit.SECONDS));
            }
        }
        // One statement killed mid-flight: exactly one retry, then success.
        String running = "SELECT COUNT(*) FROM information_schema.processlist WHERE user = '" + tenant.username()
                + "' AND info LIKE 'SELECT SLEEP%'";
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> call = threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=800", token));
            assertTrue(Await.until(() -> mariadb.queryLong(running) == 1, 10));
            mariadb.terminateConnectionsOf(tenant.username());
            assertEquals("200", call.get(30, TimeUnit.SECONDS));
        }
        // Server gauges follow the governor's servers at each refresh (every 5 s): this server's budget
        // may have been retired and made again since the last one, when another test left it idle.
        metrics.refresh();
        String after = scrape();

        assertEquals(7 + 2 + 2, MetricSamples.sum(after, "tenantgate_acquire_wait_seconds_count", server)
                - MetricSamples.sum(before, "tenantgate_acquire_wait_seconds_count", server), 0.0,
                "one acquisition per call and per retry: 7 reads, 2 stopped statements, 1 killed + its retry");
        assertEquals(2, MetricSamples.sum(after, "tenantgate_rejections_total", "reason=\"tenant-statement-timeout\"")
                - MetricSamples.sum(before, "tenantgate_rejections_total", "reason=\"tenant-statement-timeout\""), 0.0);
        assertEquals(1, MetricSamples.sum(after, "tenantgate_retries_total")
                - MetricSamples.sum(before, "tenantgate_retries_total"), 0.0);
        assertEquals(7, MetricSamples.sum(after, "http_server_requests_seconds_count", "uri=\"/api/customers\"", "status=\"200\"")
                - MetricSamples.sum(before, "http_server_requests_seconds_count", "uri=\"/api/customers\"", "status=\"200\""), 0.0,
                "the seven reads, as HTTP requests");
        assertEquals(defaultBudget, MetricSamples.sum(after, "tenantgate_server_budget", server), 0.0, "the configured budget");
    }

    @Test
    void everyRejectionReasonIsExportedBeforeItsFirst503AndTimersCarryOnlyTheSloBuckets() {
        // One answered call, so every timer has a series.
        assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(DemoServers.ACME)));
        String text = scrape();
        for (ProblemType type : ProblemType.withStatus(503)) {
            assertTrue(text.contains("tenantgate_rejections_total{reason=\"" + type.slug + "\"}"),
                    "an alert on " + type.slug + " sees data before the first one");
        }
        Pattern bucket = Pattern.compile("^(tenantgate_\\w+|http_server_requests)_seconds_bucket\\{.*le=\"([^\"]+)\".*");
        Map<String, Set<String>> bucketsByTimer = new TreeMap<>();
        text.lines().map(bucket::matcher).filter(Matcher::matches)
                .forEach(m -> bucketsByTimer.computeIfAbsent(m.group(1), t -> new TreeSet<>()).add(m.group(2)));
        assertTrue(bucketsByTimer.keySet().containsAll(Set.of("tenantgate_acquire_wait", "tenantgate_connection_lease",
                "tenantgate_statement", "http_server_requests")), bucketsByTimer.keySet().toString());
        bucketsByTimer.forEach((timer, buckets) -> assertEquals(Set.of("0.005", "0.025", "0.1", "0.5", "2.0", "+Inf"),
                buckets, timer + ": the five SLO buckets and +Inf, no percentile histogram"));
        assertTrue(text.lines().noneMatch(l -> l.startsWith("tenantgate_") && l.contains("quantile=")),
                "no percentiles computed in the server");
        System.out.printf("tenantgate_ series: %d%n", text.lines().filter(l -> l.startsWith("tenantgate_")).count());
    }

    @Test
    void perTenantSeriesStayBoundedWith300LiveTenants() throws InterruptedException {
        EmbeddedServer postgres = RealDatabases.servers().postgres();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Pools open no connection until used, so 300 live pools cost the server nothing.
            String key = "series-" + i;
            keys.add(key);
            pools.poolFor(new TenantRoute(key, key, TenantStatus.ACTIVE, DatabaseKind.POSTGRESQL, postgres.host(),
                    postgres.port(), "none", "nobody", "secret-" + i, TlsMode.DISABLED, null));
        }
        try {
            // The busiest since the last refresh are named; the periodic refresh may land in between, so
            // busy acme and refresh until it is ranked (each new pool counts one use).
            String acme = TestTokens.forTenant(DemoServers.ACME);
            assertTrue(Await.until(() -> {
                for (int i = 0; i < 5; i++) {
                    LoadClients.call(port, "/api/customers", acme);
                }
                metrics.refresh();
                return tenantLabels(scrape(), "tenantgate_tenant_connections_open").contains(DemoServers.ACME);
            }, 20), "the busiest tenant is named");
            String text = scrape();
            Set<String> tenants = tenantLabels(text, "tenantgate_tenant_connections_open");
            System.out.printf("per-tenant series with %d live pools: %d (%s...)%n", pools.livePools(), tenants.size(),
                    tenants.stream().limit(5).toList());
            assertTrue(tenants.size() <= topTenants + 1, "at most top-tenants + other: " + tenants.size());
            assertTrue(tenants.contains("other"), "the rest are summed under other");
            assertTrue(!text.contains("secret-"), "no password in the metrics");
            // Built-in meters (Vert.x pools, HTTP) never name a tenant: only ours do, and boundedly.
            List<String> naming = text.lines().filter(l -> !l.startsWith("#") && l.contains("series-")).toList();
            assertTrue(naming.stream().allMatch(l -> l.startsWith("tenantgate_tenant_")), naming.toString());
        } finally {
            keys.forEach(pools::evict);
        }
    }

    private static Set<String> tenantLabels(String text, String metric) {
        Pattern tenant = Pattern.compile("tenant=\"([^\"]+)\"");
        return text.lines().filter(line -> line.startsWith(metric + "{")).map(line -> {
            Matcher m = tenant.matcher(line);
            return m.find() ? m.group(1) : "";
        }).collect(Collectors.toSet());
    }
}
