package io.tenantgate.governor;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.tenantgate.governor.resilience.ResilienceConfig;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.platform.failure.GovernorRejection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.PreparedStatement;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.spi.DatabaseMetadata;
import jakarta.enterprise.inject.Vetoed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduling rules of one server's budget ({@link ServerBudget}), each proved by exact counts
 * with no Quarkus and no database: the budget is built the way the application builds it (from
 * its configuration mappings, through {@link ServerBudgets}), over a real Vert.x for timers, and a
 * {@link Connector} whose connects, moves and closes the test scripts. What a real server does to
 * these rules (moves on MariaDB, reconnects on PostgreSQL, a frozen server) is proved against real
 * servers by {@code FairShareTest}, {@code HandOverTest} and {@code FrozenServerFailsFastTest}.
 *
 * <p>Every tenant here is PostgreSQL, so a hand-over is a close and a connect for the receiver
 * (counted by {@link ServerBudget#reconnects()}), and the teardown allowance is zero, so a permit
 * comes back the moment its close is observed. Waits for timers poll counts; nothing asserts a time.
 */
class ServerBudgetRulesTest {

    private static final String SERVER = "db.example:5432";

    private Vertx vertx;

    @AfterEach
    void closeVertx() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Who gets the next connection

    @Test
    void aConnectionServesItsTenantForTheQuantumThenGoesToTheWaitingTenant() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "1",
                "tenantgate.pool.handover-quantum", "3", "tenantgate.pool.handover-linger", "0ms",
                "tenantgate.pool.handover-patience", "0ms"));
        TenantPool a = h.pool("a", 4);
        TenantPool b = h.pool("b", 4);

        Future<Link> first = h.lease(a);
        Link link = first.result();
        Future<Link>[] more = h.leases(a, 4);
        Future<Link> forB = h.lease(b);

        h.budget.release(link, true); // quantum used: 1
        assertSame(link, more[0].result(), "within its quantum the connection serves its own tenant's queue");
        h.budget.release(link, true); // 2
        assertSame(link, more[1].result());
        assertFalse(forB.isComplete());
        h.budget.release(link, true); // 3: the quantum is used up while b waits, so b gets it

        assertTrue(forB.succeeded(), "the quantum ended: the waiting tenant is served");
        assertFalse(more[2].isComplete(), "a tenant past its quantum does not keep the connection");
        assertEquals(2, h.budget.connects());
        assertEquals(1, h.budget.reconnects());
        assertEquals(1, h.budget.granted(), "the permit passed from a's connection to b's connect");
        assertEquals(1, h.connector.closes.get());
    }

    @Test
    void withoutOthersWaitingATenantKeepsItsConnectionPastTheQuantum() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "1",
                "tenantgate.pool.handover-quantum", "2"));
        TenantPool a = h.pool("a", 4);
        Link link = h.lease(a).result();
        Future<Link>[] more = h.leases(a, 5);
        for (Future<Link> next : more) {
            h.budget.release(link, true);
            assertSame(link, next.result());
        }
        assertEquals(1, h.budget.connects());
        assertEquals(0, h.budget.reconnects());
    }

    @Test
    void aFreedConnectionLingersForItsTenantThenGoesToTheWaitingTenant() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "1",
                "tenantgate.pool.handover-linger", "300ms", "tenantgate.pool.handover-patience", "0ms"));
        TenantPool a = h.pool("a", 4);
        TenantPool b = h.pool("b", 4);
        Link link = h.lease(a).result();
        Future<Link> forB = h.lease(b);

        h.budget.release(link, true); // a has nothing queued: the connection lingers for it
        assertFalse(forB.isComplete(), "a lingering connection is not offered to others");
        Future<Link> again = h.lease(a);
        assertSame(link, again.result(), "the tenant's next request within the linger takes it back");
        assertEquals(0, h.budget.reconnects());

        h.budget.release(link, true); // lingers again; this time a asks nothing more
        h.eventually(forB::isComplete, "b is served once the linger has ended");
        assertTrue(forB.succeeded());
        assertEquals(2, h.budget.connects());
        assertEquals(1, h.budget.reconnects());
    }

    @Test
    void aTenantWaitsPatienceForItsOwnBusyConnectionRatherThanReconnectAnothersIdleOne() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "2",
                "tenantgate.pool.handover-linger", "0ms", "tenantgate.pool.handover-patience", "60s"));
        TenantPool a = h.pool("a", 4);
        TenantPool b = h.pool("b", 4);
        Link aLink = h.lease(a).result();
        Link bLink = h.lease(b).result();
        h.budget.release(bLink, true); // idle, offered to anyone

        Future<Link> second = h.lease(a); // the budget is full; b's idle connection is there to take
        assertFalse(second.isComplete(), "within its patience the tenant waits for its own connection");
        h.budget.release(aLink, true);
        assertSame(aLink, second.result());
        assertEquals(0, h.budget.reconnects(), "patience saved a reconnect");
        assertEquals(2, h.budget.connects());
        assertEquals(1, h.view(b).idle());
    }

    @Test
    void aTenantWhosePatienceRunsOutTakesAnotherTenantsIdleConnection() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "2",
                "tenantgate.pool.handover-linger", "0ms", "tenantgate.pool.handover-patience", "150ms"));
        TenantPool a = h.pool("a", 4);
        TenantPool b = h.pool("b", 4);
        h.lease(a).result(); // busy for the whole test
        Link bLink = h.lease(b).result();
        h.budget.release(bLink, true);

        Future<Link> second = h.lease(a);
        assertFalse(second.isComplete());
        h.eventually(second::isComplete, "the patience ran out: b's idle connection is reconnected for a");
        assertTrue(second.succeeded());
        assertEquals(1, h.budget.reconnects());
        assertEquals(3, h.budget.connects());
        assertEquals(0, h.view(b).open());
        assertEquals(2, h.view(a).open());
    }

    @Test
    void aTenantOverItsShareGivesItsFreedConnectionToTheWaitingTenant() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "2",
                "tenantgate.pool.handover-quantum", "100", "tenantgate.pool.handover-patience", "0ms"));
        TenantPool a = h.pool("a", 4);
        TenantPool b = h.pool("b", 4);
        Link a1 = h.lease(a).result();
        h.lease(a).result();
        Future<Link> aQueued = h.lease(a);
        Future<Link> forB = h.lease(b);
        assertEquals(2, h.budget.granted());

        // Two contenders share two connections: a holds two, over its share of one, so its freed
        // connection goes to b although a has work queued and its quantum is far from used.
        h.budget.release(a1, true);
        assertTrue(forB.succeeded());
        assertFalse(aQueued.isComplete());
        assertEquals(1, h.budget.reconnects());
        assertEquals(1, h.view(a).open());
        assertEquals(1, h.view(b).open());
        assertEquals(2, h.budget.granted());
    }

    // ------------------------------------------------------------------------------------------
    // The share

    @Test
    void aShrinkingShareClosesIdleConnectionsAtOnceAndBusyOnesWhenTheirWorkEnds() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "10",
                "tenantgate.budget.lease.enabled", "true"));
        assertEquals(0, h.budget.limit(), "a leased budget has no share before its first renewal");
        long hour = TimeUnit.HOURS.toNanos(1);
        h.budget.grant(3, 1, System.nanoTime(), hour, 2 * hour);
        TenantPool a = h.pool("a", 4);
        Link l1 = h.lease(a).result();
        Link l2 = h.lease(a).result();
        Link l3 = h.lease(a).result();
        h.budget.release(l3, true); // idle
        assertEquals(3, h.budget.granted());

        h.budget.grant(1, 1, System.nanoTime(), hour, 2 * hour);
        assertEquals(1, h.budget.limit());
        assertEquals(2, h.budget.granted(), "the idle connection closed at once");
        assertEquals(2, h.budget.liveConnections(), "busy connections are never taken away");

        Future<Link> queued = h.lease(a);
        h.budget.release(l1, true); // over the share: given back, not passed to the queued request
        assertEquals(1, h.budget.granted());
        assertFalse(queued.isComplete());
        h.budget.release(l2, true); // within the share now: it serves the queue
        assertSame(l2, queued.result());
        assertEquals(1, h.budget.granted());
        assertEquals(1, h.budget.liveConnections());
        assertEquals(3, h.budget.connects());
        assertEquals(2, h.connector.closes.get());
    }

    // ------------------------------------------------------------------------------------------
    // Server health

    @Test
    void aServerSilentWithCallsInFlightStallsAndAnswersAgainOnItsFirstReply() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "3",
                "tenantgate.resilience.stall.threshold", "100ms", "tenantgate.resilience.stall.probe-timeout", "100ms",
                "tenantgate.resilience.stall.probe-interval", "100ms", "tenantgate.resilience.stall.answer-delay", "0ms"));
        TenantPool a = h.pool("a", 4);
        Link busy = h.lease(a).result();
        AtomicInteger aborted = new AtomicInteger();
        busy.abort = aborted::incrementAndGet;
        h.connector.holdConnects = true; // the server accepts nothing more: the probe's connect hangs

        h.eventually(() -> {
            h.budget.checkHealth();
            return h.budget.health() == ServerBudget.Health.STALLED;
        }, "no reply with a call in flight, and none to the probe: the server stalls");
        assertEquals(1, h.budget.stalls());
        // The stall is decided under the lock; the cut-off runs just after it, on the timer's thread.
        h.eventually(() -> aborted.get() == 1, "the call in flight is cut off");
        h.eventually(() -> h.budget.granted() == 1, "its connection closed, and only the probe holds a permit");
        assertEquals(1, h.connector.held.size(), "exactly one probe is out");
        Throwable refused = h.lease(a).cause();
        assertInstanceOf(GovernorRejection.class, refused);
        assertEquals(GovernorRejection.Reason.DATABASE_STALLED, ((GovernorRejection) refused).reason());

        h.connector.holdConnects = false;
        h.connector.held.poll().complete(new ScriptedConnection()); // the probe's connect is answered
        assertEquals(ServerBudget.Health.HEALTHY, h.budget.health());
        h.eventually(() -> h.budget.granted() == 0, "the probe's permit comes back after its close");
        Link after = h.lease(a).result();
        assertEquals(ServerBudget.Health.HEALTHY, h.budget.health());
        assertEquals(1, h.budget.granted());
        assertEquals(1, h.budget.stalls());
        h.budget.release(after, true);
    }

    @Test
    void aServerThatAnswersEveryCallNeverStalls() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "2",
                "tenantgate.resilience.stall.threshold", "100ms"));
        TenantPool a = h.pool("a", 4);
        for (int i = 0; i < 50; i++) {
            Link link = h.lease(a).result();
            h.budget.checkHealth();
            h.budget.release(link, true);
        }
        assertEquals(ServerBudget.Health.HEALTHY, h.budget.health());
        assertEquals(0, h.budget.stalls());
        assertEquals(1, h.budget.connects());
    }

    // ------------------------------------------------------------------------------------------
    // Permits taken and given back

    @Test
    void migrationPermitsBalanceAndAWaitingMigrationGetsTheFirstPermitGivenBack() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "2"));
        assertTrue(h.budget.acquire("m1", 1_000).succeeded());
        assertTrue(h.budget.acquire("m2", 1_000).succeeded());
        Future<Void> third = h.budget.acquire("m3", 60_000);
        assertFalse(third.isComplete(), "the budget is full: the migration waits");
        assertEquals(2, h.budget.granted());
        assertEquals(1, h.budget.waiting());

        h.budget.release("m1", 1);
        assertTrue(third.succeeded());
        assertEquals(2, h.budget.granted());
        assertEquals(1, h.budget.heldBy("m3"));
        h.budget.release("m2", 1);
        h.budget.release("m3", 1);
        assertEquals(0, h.budget.granted());
        assertEquals(0, h.budget.heldBy("m1") + h.budget.heldBy("m2") + h.budget.heldBy("m3"));
    }

    @Test
    void aPermitGivenBackTwiceIsRefusedAndCountsNothing() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "2"));
        assertTrue(h.budget.acquire("m1", 1_000).succeeded());
        h.budget.release("m1", 1);
        assertThrows(IllegalStateException.class, () -> h.budget.release("m1", 1));
        assertEquals(0, h.budget.granted());
        assertTrue(h.budget.acquire("m1", 1_000).succeeded());
        assertTrue(h.budget.acquire("m2", 1_000).succeeded());
        assertFalse(h.budget.acquire("m3", 0).succeeded(), "the refused give-back freed nothing");
        assertEquals(2, h.budget.granted());
    }

    @Test
    void aConnectionsPermitComesBackExactlyOnceWhateverClosesIt() {
        Harness h = new Harness(Map.of("tenantgate.budget.default-per-server", "2"));
        TenantPool a = h.pool("a", 4);
        Link l1 = h.lease(a).result();
        Link l2 = h.lease(a).result();
        ((ScriptedConnection) l2.connection).peerClose(); // the server ends one in use
        h.budget.release(l2, true);
        h.budget.release(l1, false); // broken work: closed by us
        assertEquals(0, h.budget.granted());
        assertEquals(0, h.budget.liveConnections());
        assertEquals(2, h.budget.permitsReturned());
    }

    // ------------------------------------------------------------------------------------------

    /** One server's budget built as the application builds it, from its configuration. */
    private final class Harness {
        final ScriptedConnector connector;
        final ServerBudget budget;
        final Map<String, TenantPool> closed = new HashMap<>();

        Harness(Map<String, String> overrides) {
            vertx = Vertx.vertx();
            Map<String, String> properties = new HashMap<>(Map.of(
                    "tenantgate.budget.lease.enabled", "false",
                    "tenantgate.budget.release-grace", "0ms",
                    "tenantgate.pool.acquire-timeout", "60s",
                    "tenantgate.resilience.stall.threshold", "60s"));
            properties.putAll(overrides);
            SmallRyeConfig config = new SmallRyeConfigBuilder()
                    .withConverter(Duration.class, 200, new DurationConverter()) // "5s", as Quarkus reads it
                    .withMapping(BudgetConfig.class)
                    .withMapping(PoolConfig.class)
                    .withMapping(ResilienceConfig.class)
                    .withSources(new PropertiesConfigSource(properties, "test", 500))
                    .build();
            BudgetConfig budgetConfig = config.getConfigMapping(BudgetConfig.class);
            PoolConfig poolConfig = config.getConfigMapping(PoolConfig.class);
            connector = new ScriptedConnector(vertx, poolConfig);
            ServerBudgets budgets = new ServerBudgets(vertx, budgetConfig, poolConfig, connector,
                    config.getConfigMapping(ResilienceConfig.class), new LeaseTimings(budgetConfig, poolConfig));
            budget = budgets.use(SERVER);
        }

        TenantPool pool(String tenant, int maxSize) {
            TenantRoute route = new TenantRoute(tenant, tenant, TenantStatus.ACTIVE, DatabaseKind.POSTGRESQL,
                    "db.example", 5432, tenant, tenant, "secret", TlsMode.DISABLED, maxSize);
            TenantPool pool = new TenantPool(route, route.identity(), budget, maxSize, null, null, null,
                    gone -> closed.put(tenant, gone), connection -> { });
            budget.register(pool);
            return pool;
        }

        Future<Link> lease(TenantPool pool) {
            return budget.lease(pool, new TenantPool.Waiter(null));
        }

        @SuppressWarnings("unchecked")
        Future<Link>[] leases(TenantPool pool, int count) {
            Future<Link>[] futures = new Future[count];
            for (int i = 0; i < count; i++) {
                futures[i] = lease(pool);
            }
            return futures;
        }

        TenantPool.View view(TenantPool pool) {
            return budget.view(pool);
        }

        void eventually(BooleanSupplier condition, String what) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("never happened: " + what);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    /**
     * Connects at once (or holds them, to play a frozen server), moves at once, and closes by
     * ending the connection as a server's close would.
     */
    @Vetoed
    static final class ScriptedConnector extends Connector {
        volatile boolean holdConnects;
        final ArrayDeque<Promise<SqlConnection>> held = new ArrayDeque<>();
        final AtomicInteger closes = new AtomicInteger();

        ScriptedConnector(Vertx vertx, PoolConfig config) {
            super(vertx, null, config, null);
        }

        @Override
        Future<SqlConnection> connect(TenantRoute route, LateEnd late) {
            if (holdConnects) {
                Promise<SqlConnection> promise = Promise.promise();
                synchronized (held) {
                    held.add(promise);
                }
                return promise.future();
            }
            return Future.succeededFuture(new ScriptedConnection());
        }

        @Override
        Future<Void> move(SqlConnection connection, TenantRoute to) {
            return Future.succeededFuture();
        }

        @Override
        Future<Void> close(SqlConnection connection, DatabaseKind kind, String server, boolean abandoned) {
            closes.incrementAndGet();
            return connection.close();
        }
    }

    /** A connection that only knows how to end: statements are never run on it here. */
    static final class ScriptedConnection implements SqlConnection {
        private Handler<Void> closeHandler;
        private boolean closed;

        void peerClose() {
            close();
        }

        @Override
        public synchronized Future<Void> close() {
            Handler<Void> handler = closed ? null : closeHandler;
            closed = true;
            if (handler != null) {
                handler.handle(null);
            }
            return Future.succeededFuture();
        }

        @Override
        public void close(Handler<AsyncResult<Void>> handler) {
            close().onComplete(handler);
        }

        @Override
        public synchronized SqlConnection closeHandler(Handler<Void> handler) {
            this.closeHandler = handler;
            return this;
        }

        @Override
        public SqlConnection exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public SqlConnection prepare(String sql, Handler<AsyncResult<PreparedStatement>> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<PreparedStatement> prepare(String sql) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SqlConnection prepare(String sql, PrepareOptions options, Handler<AsyncResult<PreparedStatement>> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<PreparedStatement> prepare(String sql, PrepareOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void begin(Handler<AsyncResult<Transaction>> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Transaction> begin() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Transaction transaction() {
            return null;
        }

        @Override
        public boolean isSSL() {
            return false;
        }

        @Override
        public DatabaseMetadata databaseMetadata() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Query<RowSet<Row>> query(String sql) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
            throw new UnsupportedOperationException();
        }
    }
}
