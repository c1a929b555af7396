package io.tenantgate.platform.failure;

import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one failure vocabulary of tenantgate: what a tenant database failure means, for both kinds
 * side by side, with the code tables in this one place. The governor, the retries and breakers,
 * and the problem mapping all ask here.
 *
 * <p>What the request did wrong: {@link #isUniqueViolation} (409), {@link #isForeignKeyViolation} (422),
 * {@link #isRejectedValue} (400).
 * What the server or the pool could not do: {@link #isUnavailable} (503; TLS failures of {@link TlsFailures}
 * among them), {@link #isConnectTimeout},
 * {@link #isStatementTimeout}, {@link #isConnectionLoss}.
 *
 * <p>And three questions for resilience, asked of the failure and every cause under it:
 * <ul>
 *   <li>{@link #isTransient}: would the same call likely succeed a moment later? Lost or refused
 *       connections, server restarts, "too many connections", deadlocks and serialization
 *       failures. Never constraint violations (1062, 23505), syntax or permission errors.</li>
 *   <li>{@link #isRetryable}: transient, and safe to repeat. A write without an idempotency key
 *       is repeated only when the failure proves it took no effect: the connection was never made,
 *       or the server rolled the transaction back. A connection lost mid-statement could have
 *       committed, so it is not repeated.</li>
 *   <li>{@link #countsAgainstTenant}: evidence for the tenant's circuit breaker. Outcomes of the
 *       request itself (404, 409, validation) and overload (waiting for the server's budget or the
 *       tenant's own connections, a full queue, shutting down) are not.</li>
 * </ul>
 */
public final class DatabaseFailures {

    /** MySQL/MariaDB error codes of transient failures. */
    static final Set<Integer> MYSQL_TRANSIENT = Set.of(
            1040, // too many connections
            1053, // server shutdown in progress
            1927, // MariaDB: connection was killed (KILL, like PostgreSQL's 57P01)
            1205, // lock wait timeout (the transaction is rolled back by us)
            1213, // deadlock, transaction rolled back
            2002, // can't connect through socket
            2003, // can't connect to server
            2006, // server has gone away
            2013); // lost connection during query

    /** PostgreSQL SQLSTATEs of transient failures. */
    static final Set<String> PG_TRANSIENT = Set.of(
            "53300", // too many connections
            "57P01", // admin shutdown / terminated backend
            "57P02", // crash shutdown
            "57P03", // cannot connect now (starting up)
            "08000", "08001", "08003", "08006", // connection exceptions
            "40001", // serialization failure
            "40P01"); // deadlock

    /** Failures after which the work certainly did not take effect: nothing ran, or it was rolled back. */
    private static final Set<Integer> MYSQL_NO_EFFECT = Set.of(1040, 1205, 1213, 2002, 2003);
    private static final Set<String> PG_NO_EFFECT = Set.of("53300", "57P03", "08001", "40001", "40P01");

    /**
     * Contention, transient but saying nothing about the database's health: lock waits, deadlocks,
     * serialization failures, and "too many connections" (the server's slots are the budget's
     * business, and a server still counting a connection tenantgate closed a moment ago says it).
     */
    private static final Set<Integer> MYSQL_CONTENTION = Set.of(1205, 1213, 1040);
    private static final Set<String> PG_CONTENTION = Set.of("40001", "40P01", "53300");

    // Vert.x's messages when a connection closed under pending or new commands.
    private static final String PENDING_ON_CLOSED = "Pending requests failed to be sent due to connection has been closed";
    private static final String NOT_ACTIVE = "Connection is not active now";
    private static final String WAS_CLOSED = "Connection was closed";

    /** The server stopped a statement that ran past its statement timeout. */
    private static final Set<Integer> MYSQL_STATEMENT_TIMEOUT = Set.of(
            1969, // MariaDB: max_statement_time exceeded
            3024); // MySQL: max_execution_time exceeded
    private static final Set<String> PG_STATEMENT_TIMEOUT = Set.of("57014"); // canceling statement

    /** The server refused the log-in: wrong password or user (28P01, 28000; 1045), no access to the database (1044). */
    private static final Set<Integer> MYSQL_LOGIN_REJECTED = Set.of(1044, 1045);
    private static final Set<String> PG_LOGIN_REJECTED = Set.of("28P01", "28000");

    private DatabaseFailures() {
    }

    /**
     * The server refused the credentials of a log-in (a connect or a MySQL change of user). Counts
     * against the tenant ({@link #isUnavailable}); a rotated secret is read again first
     * ({@code TenantSql}).
     */
    public static boolean isRejectedLogin(Throwable failure) {
        return anyCause(failure, t -> hasCode(t, MYSQL_LOGIN_REJECTED, PG_LOGIN_REJECTED));
    }

    /** A lock wait gave up: PostgreSQL {@code lock_timeout} (55P03), InnoDB's lock wait timeout (1205). */
    public static boolean isLockWaitTimeout(Throwable failure) {
        return anyCause(failure, t -> hasCode(t, Set.of(1205), Set.of("55P03")));
    }

    /**
     * The server's statement timeout stopped the statement ({@code tenantgate.pool.statement-timeout}).
     * Not retried: the same statement would run as long again. Counts against the tenant.
     */
    public static boolean isStatementTimeout(Throwable failure) {
        return anyCause(failure, t -> hasCode(t, MYSQL_STATEMENT_TIMEOUT, PG_STATEMENT_TIMEOUT));
    }

    public static boolean isTransient(Throwable failure) {
        return anyCause(failure, t -> isLostConnection(t) || neverConnected(t) || hasCode(t, MYSQL_TRANSIENT, PG_TRANSIENT));
    }

    public static boolean isRetryable(Throwable failure, Idempotence idempotence) {
        if (idempotence == Idempotence.REPEATABLE) {
            return isTransient(failure);
        }
        return anyCause(failure, t -> neverConnected(t) || hasCode(t, MYSQL_NO_EFFECT, PG_NO_EFFECT));
    }

    /**
     * Evidence that the tenant's database is sick: refused or lost connections, rejected
     * credentials, connects that did not finish, statement timeouts, deadlines that ran out on the
     * database. Never overload: waiting for the server's budget or the tenant's own queue
     * (every {@link GovernorRejection}, acquire timeouts included, and deadlines spent waiting for
     * a connection) is answered with a 503 and not counted, so a busy but healthy database never
     * opens a breaker. A stalled server is failed fast by its own detector, not by breakers.
     */
    public static boolean countsAgainstTenant(Throwable failure) {
        if (failure instanceof DeadlineExceeded deadline) {
            return deadline.inDatabase();
        }
        if (isStatementTimeout(failure)) {
            return true;
        }
        if (failure instanceof GovernorRejection) {
            return false;
        }
        if (anyCause(failure, t -> hasCode(t, MYSQL_CONTENTION, PG_CONTENTION))) {
            return false;
        }
        return isTransient(failure) || isUnavailable(failure);
    }

    /**
     * A few words saying what a failure that counted against a tenant was, for operators
     * ({@code /admin/servers}); a fixed vocabulary plus the server's error code, never a message.
     */
    public static String describe(Throwable failure) {
        if (failure instanceof DeadlineExceeded) {
            return "no answer within the request deadline";
        }
        if (isStatementTimeout(failure)) {
            return "statement timeout";
        }
        java.util.Optional<TlsFailures.TlsFailure> tls = TlsFailures.of(failure);
        if (tls.isPresent()) {
            return switch (tls.get()) {
                case NOT_OFFERED -> "TLS: the server offers none";
                case REQUIRED_BY_SERVER -> "TLS: the server refused the unencrypted connection";
                case UNTRUSTED_CERTIFICATE -> "TLS: the server's certificate is not signed by a trusted CA";
                case CERTIFICATE_NOT_VALID_NOW -> "TLS: the server's certificate has expired or is not valid yet";
                case HOST_NOT_IN_CERTIFICATE -> "TLS: the server's certificate does not name the host";
                case CLIENT_CERTIFICATE_REFUSED -> "TLS: the server refused the client certificate";
                case HANDSHAKE_FAILED -> "TLS: the handshake failed";
            };
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (isConnectTimeout(t)) {
                return "connect did not finish within the connect timeout";
            }
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof PgException pg) {
                return describeCode("SQLSTATE " + pg.getSqlState(), PG_LOGIN_REJECTED.contains(pg.getSqlState()),
                        pg.getSqlState() != null && pg.getSqlState().startsWith("57P"));
            }
            if (t instanceof MySQLException my) {
                return describeCode("error " + my.getErrorCode(), MYSQL_LOGIN_REJECTED.contains(my.getErrorCode()),
                        my.getErrorCode() == 1053 || my.getErrorCode() == 1927);
            }
            if (isLostConnection(t)) {
                return "connection lost";
            }
        }
        return "database unavailable";
    }

    private static String describeCode(String code, boolean credentials, boolean shutdown) {
        if (credentials) {
            return "credentials rejected (" + code + ")";
        }
        return shutdown ? "server shutting down or terminating sessions (" + code + ")" : "server error (" + code + ")";
    }

    /** The failure, or a cause under it, is a connection that broke or was closed under a command. */
    public static boolean isConnectionLoss(Throwable failure) {
        return anyCause(failure, DatabaseFailures::isLostConnection);
    }

    private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCode(Throwable t, Set<Integer> mysqlCodes, Set<String> pgStates) {
        return t instanceof MySQLException my && mysqlCodes.contains(my.getErrorCode())
                || t instanceof PgException pg && pgStates.contains(pg.getSqlState());
    }

    /** The TCP connection was refused or unroutable: the server never saw the request. */
    private static boolean neverConnected(Throwable t) {
        // A connect that did not finish in time (a frozen server) did no work either.
        return t instanceof ConnectException || t instanceof NoRouteToHostException || isConnectTimeout(t);
    }

    /** An established connection broke (reset, closed, server gone) before or while a command ran. */
    private static boolean isLostConnection(Throwable t) {
        if (t instanceof ClosedConnectionException || t instanceof ClosedChannelException) {
            return true;
        }
        if (t instanceof SocketException && !(t instanceof ConnectException)) {
            return true; // "Connection reset", "Broken pipe"
        }
        String message = t.getMessage();
        // Vert.x reports these with its own exception types (some in impl packages); the messages are
        // specific enough to go by alone.
        return message != null && (message.startsWith(PENDING_ON_CLOSED) || message.startsWith(NOT_ACTIVE)
                || message.startsWith(WAS_CLOSED));
    }

    /** A unique constraint was violated: PostgreSQL SQLSTATE 23505, MySQL error 1062. */
    public static boolean isUniqueViolation(Throwable failure) {
        return isConstraintViolation(failure, "23505", 1062);
    }

    /**
     * A row referred to a row that does not exist: PostgreSQL SQLSTATE 23503, MySQL error 1452
     * (cannot add or update a child row).
     */
    public static boolean isForeignKeyViolation(Throwable failure) {
        return isConstraintViolation(failure, "23503", 1452);
    }

    private static boolean isConstraintViolation(Throwable failure, String sqlState, int mysqlCode) {
        // Hibernate Reactive wraps the driver's exception; the Vert.x clients do not.
        for (Throwable t = failure; t != null; t = t.getCause()) {
            boolean violated = switch (t) {
                case PgException pg -> sqlState.equals(pg.getSqlState());
                case MySQLException my -> my.getErrorCode() == mysqlCode;
                default -> false;
            };
            if (violated) {
                return true;
            }
        }
        return false;
    }

    /**
     * The database refused a value the request carried (too long, not representable, out of range):
     * PostgreSQL's data exceptions (SQLSTATE class 22) and MySQL's 1048, 1264, 1265, 1292, 1366,
     * 1367, 1406. Validation refuses such input first; this is the net under it, so a database's
     * "no" to input is always the caller's 400, never a 500.
     */
    public static boolean isRejectedValue(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            boolean rejected = switch (t) {
                case PgException pg -> pg.getSqlState() != null && pg.getSqlState().startsWith("22");
                case MySQLException my -> java.util.Set.of(1048, 1264, 1265, 1292, 1366, 1367, 1406)
                        .contains(my.getErrorCode());
                default -> false;
            };
            if (rejected) {
                return true;
            }
        }
        return false;
    }

    /** A connect, authentication included, did not finish within the connect timeout (see {@code Connector}). */
    public static boolean isConnectTimeout(Throwable failure) {
        return failure instanceof ConnectTimeout;
    }

    /**
     * The database could not be reached or no connection could be had in time: a condition of the
     * server or the pool, not of the request.
     */
    public static boolean isUnavailable(Throwable failure) {
        // TLS that cannot be agreed (an untrusted certificate, a server without TLS or with TLS
        // only): the server cannot be used, and not through a fault of the request.
        if (TlsFailures.isTlsFailure(failure)) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedChannelException || t instanceof UnknownHostException
                    || t instanceof ConnectTimeout) {
                return true;
            }
            // Side by side: connection refused by limits, rejected credentials, server shutting down.
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P")
                    || "53300".equals(pg.getSqlState()) || "28P01".equals(pg.getSqlState())
                    || "28000".equals(pg.getSqlState()))) {
                return true;
            }
            if (t instanceof MySQLException my && (my.getErrorCode() == 1040 || my.getErrorCode() == 1203
                    || my.getErrorCode() == 1226 || my.getErrorCode() == 1045 || my.getErrorCode() == 1044)) {
                return true;
            }
            // Vert.x's own timeouts (a TCP connect timeout) come as plain VertxExceptions.
            if (t instanceof VertxException v && v.getMessage() != null && v.getMessage().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }
}
