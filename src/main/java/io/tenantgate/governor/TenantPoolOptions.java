package io.tenantgate.governor;

import io.tenantgate.governor.route.DatabaseKind;
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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one place where connect options and session settings are built from a {@link TenantRoute},
 * {@link PoolConfig} and {@link PgBouncerConfig}, for both database kinds side by side.
 *
 * <p>Every tenant connection carries two server-side settings: the statement timeout, and, with
 * leases on, the idle time after which the server closes it (the lease protocol's backstop for a
 * frozen replica, see {@link LeaseTimings}). How they get there depends on what answers at the
 * tenant's address ({@link Front}).
 */
@ApplicationScoped
public class TenantPoolOptions {

    static final String MYSQL_CHARSET = "utf8mb4";
    static final String MYSQL_COLLATION = "utf8mb4_unicode_ci";

    /**
     * What answers at a PostgreSQL tenant's address, and so how its session settings are set.
     * MySQL-protocol servers are always {@link #SERVER}.
     */
    public enum Front {
        /** The server itself: the settings travel in the start-up packet, in force before the first statement. */
        SERVER,
        /**
         * PgBouncer in session mode: it refuses unknown start-up parameters (and ignores those it is
         * told to), so the settings are set by one statement after connecting; the server connection
         * stays with us, so they stay in force.
         */
        PGBOUNCER_SESSION,
        /**
         * PgBouncer in transaction mode: statements of one connection run on several server
         * connections, so nothing set per session would stay, and named prepared statements would be
         * missing on the next one. No statement is prepared by name (Vert.x's layer-7 proxy mode);
         * the settings must be the server's for the tenant's role, which adding a tenant checks
         * ({@link #transactionModeSettings}).
         */
        PGBOUNCER_TRANSACTION
    }

    private final PoolConfig config;
    /** With leases on, the server closes our connections after this long idle (see {@link LeaseTimings}); 0: never. */
    private final int serverIdleSeconds;
    private final Set<String> sessionModeBouncers;
    private final Set<String> transactionModeBouncers;

    public TenantPoolOptions(PoolConfig config, LeaseTimings leases, PgBouncerConfig pgbouncer) {
        this.config = config;
        this.serverIdleSeconds = leases.serverIdleTimeoutSeconds();
        this.sessionModeBouncers = addresses(pgbouncer.sessionMode(), "session-mode");
        this.transactionModeBouncers = addresses(pgbouncer.transactionMode(), "transaction-mode");
        for (String both : sessionModeBouncers) {
            if (transactionModeBouncers.contains(both)) {
                throw new IllegalArgumentException(both + " is listed in both tenantgate.pgbouncer.session-mode and"
                        + " tenantgate.pgbouncer.transaction-mode: a PgBouncer has one pool_mode");
            }
        }
    }

    private static Set<String> addresses(Optional<List<String>> listed, String property) {
        Set<String> addresses = new HashSet<>();
        for (String entry : listed.orElse(List.of())) {
            String address = entry.strip().toLowerCase(Locale.ROOT);
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || !address.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException("tenantgate.pgbouncer." + property + " takes host:port entries"
                        + " (the address tenants are registered with), not '" + entry + "'");
            }
            addresses.add(address);
        }
        return Set.copyOf(addresses);
    }

    /** Whether the address ({@code host:port}) is a declared PgBouncer, in either mode. */
    public boolean isPgBouncer(String server) {
        String address = server.toLowerCase(Locale.ROOT);
        return sessionModeBouncers.contains(address) || transactionModeBouncers.contains(address);
    }

    /** What answers at the route's address (see {@link Front}). */
    public Front front(TenantRoute route) {
        if (route.kind() != DatabaseKind.POSTGRESQL) {
            return Front.SERVER;
        }
        String address = route.server().toLowerCase(Locale.ROOT);
        if (transactionModeBouncers.contains(address)) {
            return Front.PGBOUNCER_TRANSACTION;
        }
        return sessionModeBouncers.contains(address) ? Front.PGBOUNCER_SESSION : Front.SERVER;
    }

    public int maxSize(TenantRoute route) {
        return route.maxPoolSize() != null ? route.maxPoolSize() : config.maxSize();
    }

    /** The options of one connect to the route's server, with the TLS of that attempt ({@code tls}). */
    public SqlConnectOptions connectOptions(TenantRoute route, TlsAttempt tls) {
        int connectTimeout = Math.toIntExact(config.connectTimeout().toMillis());
        Front front = front(route);
        SqlConnectOptions options = switch (route.kind()) {
            case POSTGRESQL -> new PgConnectOptions()
                    .setHost(route.host())
                    .setPort(route.port())
                    .setDatabase(route.database())
                    .setUser(route.username())
                    .setPassword(route.password())
                    .setSslMode(pgSslMode(route.tlsMode()))
                    .setConnectTimeout(connectTimeout)
                    // Behind a transaction-mode PgBouncer a statement prepared by name on one server
                    // connection is missing on the next: unnamed statements only, nothing cached.
                    .setUseLayer7Proxy(front == Front.PGBOUNCER_TRANSACTION)
                    .setCachePreparedStatements(front != Front.PGBOUNCER_TRANSACTION)
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
        if (options instanceof PgConnectOptions pg && front == Front.SERVER) {
            // Run-time parameters in the start-up packet, in force before the first statement.
            postgresSettings().forEach(pg::addProperty);
        }
        // A backstop for a connection stuck on a server that stopped answering (a network black
        // hole): the socket is closed after this long without traffic. Idle connections are closed
        // by the governor long before (idle-timeout); statements are bounded by statement-timeout.
        options.setIdleTimeout(Math.toIntExact(Math.max(60_000, config.idleTimeout().toMillis() + 30_000)))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        return withTls(options, tls);
    }

    /**
     * The PostgreSQL session settings, by name, in milliseconds: the statement timeout and, with
     * leases on, the idle backstop ({@code idle_session_timeout}, PostgreSQL 14 and later, and
     * {@code idle_in_transaction_session_timeout}). A server that lacks one refuses the connection;
     * {@link io.tenantgate.platform.failure.UnsupportedServer} says so when a tenant is added.
     */
    private Map<String, String> postgresSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (config.statementTimeout().toMillis() > 0) {
            settings.put("statement_timeout", Long.toString(config.statementTimeout().toMillis()));
        }
        if (serverIdleSeconds > 0) {
            String millis = Long.toString(serverIdleSeconds * 1000L);
            settings.put("idle_session_timeout", millis);
            settings.put("idle_in_transaction_session_timeout", millis);
        }
        return settings;
    }

    /**
     * The statement that puts the session settings on a new PostgreSQL connection through a
     * session-mode PgBouncer, or null (a server gets them at start-up; through a transaction-mode
     * PgBouncer they are the server's). Numbers only: nothing here comes from a request.
     */
    public String postgresSessionSetup(TenantRoute route) {
        Map<String, String> settings = postgresSettings();
        if (front(route) != Front.PGBOUNCER_SESSION || settings.isEmpty()) {
            return null;
        }
        List<String> calls = new ArrayList<>();
        settings.forEach((name, value) -> calls.add("set_config('" + name + "', '" + value + "', false)"));
        return "SELECT " + String.join(", ", calls);
    }

    /**
     * Through a transaction-mode PgBouncer, the settings the server must give the tenant's role
     * itself (milliseconds, by name; each at most this value and not 0), since no session setting
     * of ours would stay: the statement timeout and, with leases on, the idle-in-transaction
     * timeout (a frozen replica holds a server connection only inside a transaction). Empty for
     * any other route.
     */
    public Map<String, Long> transactionModeSettings(TenantRoute route) {
        Map<String, Long> required = new LinkedHashMap<>();
        if (front(route) != Front.PGBOUNCER_TRANSACTION) {
            return required;
        }
        if (config.statementTimeout().toMillis() > 0) {
            required.put("statement_timeout", config.statementTimeout().toMillis());
        }
        if (serverIdleSeconds > 0) {
            required.put("idle_in_transaction_session_timeout", serverIdleSeconds * 1000L);
        }
        return required;
    }

    /**
     * The statement that puts the server-side session settings on a new MySQL-protocol connection
     * (PostgreSQL gets them in its start-up packet), or null: the statement timeout (MariaDB takes
     * seconds for any statement; MySQL takes milliseconds and applies them to reads only) and, with
     * leases on, the idle time after which the server closes the connection ({@code wait_timeout}).
     */
    public String mysqlSessionSetup(boolean mariaDb) {
        long millis = config.statementTimeout().toMillis();
        List<String> settings = new ArrayList<>(2);
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
