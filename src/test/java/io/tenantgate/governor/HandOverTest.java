package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.AbortedClients;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.BudgetTen;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.RealDatabases;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With a server's budget full of one tenant's idle connections, another tenant's request takes one
 * over, and the session it gets belongs to it, as the server itself reports it (user, database).
 * On MariaDB the connection is moved ({@code changeUser}), not reconnected: the server shows the
 * same connection id, no connect is made, and the statements its previous tenant prepared on it
 * (the very same SQL) work for the new one: the prepared-statement cache was cleared. On PostgreSQL
 * the hand-over is a reconnect, and the permit passes straight to it.
 */
@QuarkusTest
@TestProfile(BudgetTen.class)
class HandOverTest {

    private static final int BUDGET = BudgetTen.BUDGET;

    @Inject
    TenantSql sql;

    @Inject
    ServerBudgets budgets;

    /** What the server says about the session a statement ran in. */
    private record Session(long id, String user, String database) {
    }

    private Session session(TenantRoute tenant, long sleepMillis) throws Exception {
        String query = tenant.kind() == DatabaseKind.MYSQL
                ? "SELECT CONNECTION_ID(), SUBSTRING_INDEX(CURRENT_USER(), '@', 1), DATABASE(), SLEEP(?)"
                : "SELECT pg_backend_pid(), current_user::text, current_database()::text, pg_sleep($1)::text";
        try {
            return VertxContextSupport.subscribeAndAwait(() -> sql.withConnection(tenant, c -> c.preparedQuery(query)
                    .execute(Tuple.of(sleepMillis / 1000.0)).map(rows -> {
                        Row row = rows.iterator().next();
                        return new Session(row.getLong(0), row.getString(1), row.getString(2));
                    })));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @BothKinds
    void aWaitingTenantGetsAConnectionWhoseSessionIsItsOwnMovedOnMariaDbReconnectedOnPostgres(DatabaseKind kind)
            throws Throwable {
        TenantRoute holder = FreshTenants.provision(kind, FreshTenants.key("holder"), BUDGET);
        TenantRoute newcomer = FreshTenants.provision(kind, FreshTenants.key("newcomer"), 1);
        ServerBudget server = budgets.of(holder.server());
        assertTrue(io.tenantgate.testing.Await.until(() -> server.granted() == 0, 15),
                "earlier tests' idle connections are gone (idle timeout 1 s)");

        // The holder fills the budget, then its connections go idle.
        Set<Long> holderSessions = ConcurrentHashMap.newKeySet();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Session>> calls = new ArrayList<>();
            for (int i = 0; i < BUDGET; i++) {
                calls.add(threads.submit(() -> session(holder, 400)));
            }
            for (Future<Session> call : calls) {
                Session s = call.get(30, TimeUnit.SECONDS);
                assertEquals(holder.username(), s.user());
                holderSessions.add(s.id());
            }
        }
        assertEquals(BUDGET, holderSessions.size(), "the holder opened the whole budget");
        assertEquals(BUDGET, server.granted(), "the budget is full (of idle connections)");
        long connects = server.connects();
        long moves = server.moves();
        long reconnects = server.reconnects();

        Session taken = session(newcomer, 0);
        assertEquals(newcomer.username(), taken.user(), "the server reports the newcomer's user");
        assertEquals(newcomer.database(), taken.database(), "and the newcomer's database");
        assertTrue(server.granted() <= BUDGET, "never above the budget: " + server.granted());
        if (kind == DatabaseKind.MYSQL) {
            assertTrue(holderSessions.contains(taken.id()), "the same connection, moved: id " + taken.id()
                    + " is one of the holder's " + holderSessions);
            assertEquals(connects, server.connects(), "no connect was made");
            assertEquals(moves + 1, server.moves(), "one move");
            // The same statements again on the moved connection: a stale cache would fail with 1243.
            for (int i = 0; i < 3; i++) {
                assertEquals(newcomer.username(), session(newcomer, 0).user());
            }
        } else {
            assertFalse(holderSessions.contains(taken.id()), "a new backend for the newcomer");
            assertEquals(connects + 1, server.connects(), "one connect");
            assertEquals(reconnects + 1, server.reconnects(), "one reconnect hand-over");
        }
        // The holder still works on what it has left.
        assertEquals(holder.username(), session(holder, 0).user());
    }

    @Inject
    TenantPools pools;

    /**
     * Healthy connections are closed with the protocol's quit, never a server-side kill or a reset:
     * MariaDB counts no aborted client for connections closed by an eviction, by the idle timeout,
     * by the operator's evict-idle, or after a move.
     */
    @org.junit.jupiter.api.Test
    void closedConnectionsQuitCleanlyAndMariaDbCountsNoAbortedClient() throws Throwable {
        var mariadb = RealDatabases.servers().mariadb();
        TenantRoute evicted = FreshTenants.provision(DatabaseKind.MYSQL, FreshTenants.key("evicted"), 4);
        TenantRoute idled = FreshTenants.provision(DatabaseKind.MYSQL, FreshTenants.key("idled"), 4);
        TenantRoute swept = FreshTenants.provision(DatabaseKind.MYSQL, FreshTenants.key("swept"), 4);
        long before = AbortedClients.of(mariadb);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Session>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(threads.submit(() -> session(evicted, 200)));
                calls.add(threads.submit(() -> session(idled, 200)));
                calls.add(threads.submit(() -> session(swept, 200)));
            }
            for (Future<Session> call : calls) {
                call.get(30, TimeUnit.SECONDS);
            }
        }
        assertTrue(pools.evict(evicted.key()));
        pools.evictIdle(); // what POST /admin/pools/evict-idle does: swept's idle connections go now
        // idled's connections go at the idle timeout (1 s in this profile), if evict-idle left any.
        assertTrue(io.tenantgate.testing.Await.until(() -> mariadb.connectionsOf(evicted.key()) == 0
                && mariadb.connectionsOf(idled.key()) == 0 && mariadb.connectionsOf(swept.key()) == 0, 15),
                "the connections are closed");
        assertEquals(before, AbortedClients.of(mariadb), "no aborted client on MariaDB");
    }
}
