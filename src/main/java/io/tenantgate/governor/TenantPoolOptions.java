package io.tenantgate.governor;

import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.governor.tls.TlsAttempt;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.SslMode;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.TimeUnit;

/**
 * The one place where connect options are built from a {@link TenantRoute} and {@link PoolConfig},
 * for both database kinds side by side.
 */
@ApplicationScoped
public class TenantPoolOptions {

    static final String MYSQL_CHARSET = "utf8mb4";
    static final String MYSQL_COLLATION = "utf8mb4_unicode_ci";

    private final PoolConfig config;
    /** With leases on, the server closes our connections after this long idle (see {@link LeaseTimings}); 0: never. */
    private final int serverIdleSeconds;

    public TenantPoolOptions(PoolConfig config, LeaseTimings leases) {
        this.config = config;
        this.serverIdleSeconds = leases.serverIdleTimeoutSeconds();
    }

    public int maxSize(TenantRoute route) {
        return route.maxPoolSize() != null ? route.maxPoolSize() : config.maxSize();
    }

    /** The options of one connect to the route's server, with the TLS of that attempt ({@code tls}). */
    public SqlConnectOptions connectOptions(TenantRoute route, TlsAttempt tls) {
        int connectTimeout = Math.toIntExact(config.connectTimeout().toMillis());
        SqlConnectOptions options = switch (route.kind()) {
            case POSTGRESQL -> new PgConnectOptions()
                    .setHost(route.host())
                    .setPort(route.port())
                    .setDatabase(route.database())
                    .setUser(route.username())
                    .setPassword(route.password())
                    .setSslMode(pgSslMode(route.tlsMode()))
                    .setConnectTimeout(connectTimeout)
                    .setCachePreparedStatements(true)
                    .setReconnectAttempts(0);
            case MYSQL -> new MySQLConnectOptions()
                    .setHost(route.host())
                    .setPort(route.port())
                    .setDatabase(route.database())
                    .setUser(route.username())
                    .setPassword(route.password())
                    .setSslMode(mysqlSslMode(route.tlsMode()))
                    .setCharset(MYSQL_CHARSET)
                    .setCollation(MYSQL_COLLATION)
                    .setConnectTimeout(connectTimeout)
                    .setCachePreparedStatements(true)
                    .setReconnectAttempts(0);
        };
        if (options instanceof PgConnectOptions pg && config.statementTimeout().toMillis() > 0) {
            // A run-time parameter in the start-up packet, in force before the first statement.
            // PgBouncer refuses unknown start-up parameters unless listed in its
            // ignore_startup_parameters; behind one, set statement-timeout to 0 or list it there.
            pg.addProperty("statement_timeout", Long.toString(config.statementTimeout().toMillis()));
        }
        if (options instanceof PgConnectOptions pg && serverIdleSeconds > 0) {
            // The lease protocol's backstop for a frozen replica: the server drops its idle connections.
            String millis = Long.toString(serverIdleSeconds * 1000L);
            pg.addProperty("idle_session_timeout", millis);
            pg.addProperty("idle_in_transaction_session_timeout", millis);
        }
        // A backstop for a connection stuck on a server that stopped answering (a network black
        // hole): the socket is closed after this long without traffic. Idle connections are closed
        // by the governor long before (idle-timeout); statements are bounded by statement-timeout.
        options.setIdleTimeout(Math.toIntExact(Math.max(60_000, config.idleTimeout().toMillis() + 30_000)))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        return withTls(options, tls);
    }

    /**
     * The statement that puts the server-side session settings on a new MySQL-protocol connection
     * (PostgreSQL gets them in its start-up packet), or null: the statement timeout (MariaDB takes
     * seconds for any statement; MySQL takes milliseconds and applies them to reads only) and, with
     * leases on, the idle time after which the server closes the connection ({@code wait_timeout}).
     */
    public String mysqlSessionSetup(boolean mariaDb) {
        long millis = config.statementTimeout().toMillis();
        java.util.List<String> settings = new java.util.ArrayList<>(2);
        if (millis > 0) {
            settings.add(mariaDb ? "max_statement_time = " + (millis / 1000.0) : "max_execution_time = " + millis);
        }
        if (serverIdleSeconds > 0) {
            settings.add("wait_timeout = " + serverIdleSeconds);
        }
        return settings.isEmpty() ? null : "SET SESSION " + String.join(", ", settings);
    }

    /**
     * The attempt's trust manager and client certificate: the same material as the migrations'
     * JDBC drivers use ({@link TlsAttempt}). Vert.x refuses to verify a server without trust options
     * and, for identity checks, a host name verification algorithm: {@code VERIFY_FULL} checks the
     * host as HTTPS does. {@code REQUIRED} encrypts without verifying, as its name promises.
     */
    private static SqlConnectOptions withTls(SqlConnectOptions options, TlsAttempt tls) {
        if (tls.mode() == TlsMode.DISABLED) {
            return options;
        }
        options.setTrustOptions(TrustOptions.wrap(tls.trustManager()));
        tls.keyManager().ifPresent(keys -> options.setKeyCertOptions(KeyCertOptions.wrap(keys)));
        if (tls.verifiesHost()) {
            options.setHostnameVerificationAlgorithm(TlsAttempt.HOST_CHECK);
        }
        return options;
    }

    private static io.vertx.pgclient.SslMode pgSslMode(TlsMode mode) {
        return switch (mode) {
            case DISABLED -> io.vertx.pgclient.SslMode.DISABLE;
            case REQUIRED -> io.vertx.pgclient.SslMode.REQUIRE;
            case VERIFY_CA -> io.vertx.pgclient.SslMode.VERIFY_CA;
            case VERIFY_FULL -> io.vertx.pgclient.SslMode.VERIFY_FULL;
        };
    }

    private static SslMode mysqlSslMode(TlsMode mode) {
        return switch (mode) {
            case DISABLED -> SslMode.DISABLED;
            case REQUIRED -> SslMode.REQUIRED;
            case VERIFY_CA -> SslMode.VERIFY_CA;
            case VERIFY_FULL -> SslMode.VERIFY_IDENTITY;
        };
    }
}
