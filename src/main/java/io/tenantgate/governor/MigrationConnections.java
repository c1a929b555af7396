package io.tenantgate.governor;

import io.tenantgate.registry.TenantRoute;
import io.quarkus.runtime.annotations.RegisterForProxy;
import jakarta.enterprise.context.ApplicationScoped;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * JDBC connections for tenant schema migrations (Flyway speaks JDBC, not Vert.x).
 *
 * <p>They are physical connections to the same servers as the tenant pools, so they are opened
 * only here and counted per server while open: the governor's server budget sees them exactly
 * like pooled connections. Invariant: {@link #openOn(String)} rises when Flyway opens a
 * connection and falls exactly once when it closes it. Only worker threads use these.
 */
@ApplicationScoped
@RegisterForProxy(targets = Connection.class)
public class MigrationConnections {

    private final ConcurrentMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> opened = new ConcurrentHashMap<>();

    /** A data source for one tenant's database whose connections are counted against its server. */
    public DataSource dataSource(TenantRoute route) {
        DataSource target = switch (route.kind()) {
            case POSTGRESQL -> postgres(route);
            case MYSQL -> mariadb(route);
        };
        return new CountingDataSource(target, counter(open, route.server()), counter(opened, route.server()));
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

    private static DataSource postgres(TenantRoute route) {
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
        ds.setConnectTimeout(10);
        ds.setApplicationName("tenantgate-migrations");
        return ds;
    }

    private static DataSource mariadb(TenantRoute route) {
        String ssl = switch (route.tlsMode()) {
            case DISABLED -> "disable";
            case REQUIRED -> "trust";
            case VERIFY_CA -> "verify-ca";
            case VERIFY_FULL -> "verify-full";
        };
        try {
            MariaDbDataSource ds = new MariaDbDataSource("jdbc:mariadb://" + route.host() + ":" + route.port() + "/"
                    + route.database() + "?sslMode=" + ssl + "&connectTimeout=10000");
            ds.setUser(route.username());
            ds.setPassword(route.password());
            return ds;
        } catch (SQLException e) {
            throw new IllegalStateException("bad MariaDB data source for tenant " + route.key(), e);
        }
    }

    /** Counts each connection once on open and once on close, whatever path closes it. */
    private record CountingDataSource(DataSource target, AtomicInteger counter, AtomicInteger total)
            implements DataSource {

        @Override
        public Connection getConnection() throws SQLException {
            return counted(target.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return counted(target.getConnection(username, password));
        }

        private Connection counted(Connection connection) {
            counter.incrementAndGet();
            total.incrementAndGet();
            AtomicBoolean closed = new AtomicBoolean();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && closed.compareAndSet(false, true)) {
                            counter.decrementAndGet();
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
