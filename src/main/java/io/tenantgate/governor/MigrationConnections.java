package io.tenantgate.governor;

import io.quarkus.runtime.annotations.RegisterForProxy;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.governor.tls.MariaDbJdbcTls;
import io.tenantgate.governor.tls.PgJdbcTls;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * JDBC connections for tenant schema migrations (Flyway speaks JDBC, not Vert.x).
 *
 * <p>They are physical connections to the same servers as the tenant pools, so each takes a
 * permit of its server's {@link ServerBudget} before it is opened (waiting at most the acquire
 * timeout: this runs on worker threads only, where waiting is allowed) and gives it back after it
 * is closed, with the same grace as pooled connections. Invariant: {@link #openOn(String)} rises
 * when Flyway opens a connection and falls exactly once when it closes it, on every path.
 */
@ApplicationScoped
@RegisterForProxy(targets = Connection.class)
public class MigrationConnections {

    private final ServerBudgets budgets;
    private final Vertx vertx;
    private final long permitWaitMillis;
    /** TCP connect plus log-in: a server that accepts and then says nothing must not hold an admin call. */
    private final java.time.Duration connectTimeout;
    /** Longest wait for any one reply once logged in (a migration's DDL included). */
    private static final int SOCKET_TIMEOUT_SECONDS = 300;
    private final ConcurrentMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> opened = new ConcurrentHashMap<>();

    private final TenantPoolOptions options;

    public MigrationConnections(ServerBudgets budgets, Vertx vertx, PoolConfig config, TenantPoolOptions options) {
        this.budgets = budgets;
        this.options = options;
        this.vertx = vertx;
        this.permitWaitMillis = config.acquireTimeout().toMillis();
        this.connectTimeout = config.connectTimeout();
    }

    /**
     * A data source for one tenant's database whose connections are counted against its server,
     * for one migration: close it when the migration is done, so the server's budget can be
     * forgotten once nothing uses it.
     */
    public MigrationDataSource dataSource(TenantRoute route) {
        DataSource target = switch (route.kind()) {
            case POSTGRESQL -> postgres(route, connectTimeout, options.front(route));
            case MYSQL -> mariadb(route, connectTimeout);
        };
        ServerBudget budget = budgets.use(route.server());
        return new MigrationDataSource(new CountingDataSource(target, new Permits(budget, route.key(), vertx,
                permitWaitMillis, budgets.releaseGraceMillis()),
                counter(open, route.server()), counter(opened, route.server())), () -> budgets.unuse(budget));
    }

    /** A migration's data source; closing it ends its use of the server's budget (once). */
    public static final class MigrationDataSource implements AutoCloseable {
        private final DataSource dataSource;
        private final Runnable done;
        private final AtomicBoolean closed = new AtomicBoolean();

        MigrationDataSource(DataSource dataSource, Runnable done) {
            this.dataSource = dataSource;
            this.done = done;
        }

        public DataSource get() {
            return dataSource;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                done.run();
            }
        }
    }

    /** Migration connections open on a server right now. */
    public int openOn(String server) {
        AtomicInteger count = open.get(server);
        return count == null ? 0 : count.get();
    }

    /** Migration connections ever opened to a server. */
    public int openedOn(String server) {
        AtomicInteger count = opened.get(server);
        return count == null ? 0 : count.get();
    }

    private static AtomicInteger counter(ConcurrentMap<String, AtomicInteger> counters, String server) {
        return counters.computeIfAbsent(server, s -> new AtomicInteger());
    }

    private static DataSource postgres(TenantRoute route, java.time.Duration connectTimeout,
                                       TenantPoolOptions.Front front) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {route.host()});
        ds.setPortNumbers(new int[] {route.port()});
        ds.setDatabaseName(route.database());
        ds.setUser(route.username());
        ds.setPassword(route.password());
        ds.setSslmode(switch (route.tlsMode()) {
            case DISABLED -> "disable";
            case REQUIRED -> "require";
            case VERIFY_CA -> "verify-ca";
            case VERIFY_FULL -> "verify-full";
        });
        if (route.tlsMode() != TlsMode.DISABLED) {
            // The live pools' trust and client certificate, not libpq's files under ~/.postgresql.
            ds.setSslfactory(PgJdbcTls.class.getName());
        }
        int seconds = (int) Math.max(1, (connectTimeout.toMillis() + 999) / 1000);
        ds.setConnectTimeout(seconds);
        ds.setLoginTimeout(seconds);
        ds.setSocketTimeout(SOCKET_TIMEOUT_SECONDS);
        ds.setApplicationName("tenantgate-migrations");
        if (front == TenantPoolOptions.Front.PGBOUNCER_TRANSACTION) {
            // pgjdbc prepares a statement by name from its fifth run on; through a transaction-mode
            // PgBouncer the next transaction may find it missing on another server connection.
            ds.setPrepareThreshold(0);
        }
        return ds;
    }

    private static DataSource mariadb(TenantRoute route, java.time.Duration connectTimeout) {
        String ssl = switch (route.tlsMode()) {
            case DISABLED -> "disable";
            case REQUIRED -> "trust";
            case VERIFY_CA -> "verify-ca";
            case VERIFY_FULL -> "verify-full";
        };
        try {
            // allowLocalInfile=false: Connector/J would otherwise send any file a (hostile) server
            // names in a LOCAL INFILE request; see MySqlStatements.
            MariaDbDataSource ds = new MariaDbDataSource("jdbc:mariadb://" + route.host() + ":" + route.port() + "/"
                    + route.database() + "?sslMode=" + ssl
                    // The live pools' trust and client certificate (see MariaDbJdbcTls).
                    + (route.tlsMode() == TlsMode.DISABLED ? "" : "&tlsSocketType=" + MariaDbJdbcTls.TYPE)
                    + "&connectTimeout=" + Math.max(1, connectTimeout.toMillis())
                    + "&socketTimeout=" + SOCKET_TIMEOUT_SECONDS * 1000 + "&allowLocalInfile=false");
            ds.setUser(route.username());
            ds.setPassword(route.password());
            return ds;
        } catch (SQLException e) {
            throw new IllegalStateException("bad MariaDB data source for tenant " + route.key(), e);
        }
    }

    /** Counts each connection once on open and once on close, whatever path closes it. */
    /** Blocking permit handling for JDBC, on worker threads. */
    private record Permits(ServerBudget budget, String tenant, Vertx vertx, long waitMillis, long releaseGraceMillis) {

        void acquire() throws SQLException {
            io.vertx.core.Future<Void> permit = budget.acquire(tenant, waitMillis);
            try {
                permit.toCompletionStage().toCompletableFuture().get(waitMillis + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                permit.onSuccess(granted -> budget.release(tenant, 1)); // granted after we gave up
                throw new SQLException("interrupted while waiting for a connection budget permit", e);
            } catch (ExecutionException | TimeoutException e) {
                permit.onSuccess(granted -> budget.release(tenant, 1));
                throw new SQLException("connection budget of " + budget.server() + " exhausted", "08004", e);
            }
        }

        /** After the same grace as pooled connections, so the server has let the connection go. */
        void releaseLater() {
            vertx.setTimer(releaseGraceMillis, id -> budget.release(tenant, 1));
        }
    }

    private record CountingDataSource(DataSource target, Permits permits, AtomicInteger counter, AtomicInteger total)
            implements DataSource {

        @Override
        public Connection getConnection() throws SQLException {
            permits.acquire();
            try {
                return counted(target.getConnection());
            } catch (SQLException | RuntimeException e) {
                permits.releaseLater();
                throw e;
            }
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            permits.acquire();
            try {
                return counted(target.getConnection(username, password));
            } catch (SQLException | RuntimeException e) {
                permits.releaseLater();
                throw e;
            }
        }

        private Connection counted(Connection connection) {
            counter.incrementAndGet();
            total.incrementAndGet();
            AtomicBoolean closed = new AtomicBoolean();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && closed.compareAndSet(false, true)) {
                            counter.decrementAndGet();
                            permits.releaseLater();
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return target.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            target.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            target.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return target.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return target.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return target.isWrapperFor(iface);
        }
    }
}
