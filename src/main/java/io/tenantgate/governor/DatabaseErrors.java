package io.tenantgate.governor;

import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.pgclient.PgException;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;

/**
 * Classifies tenant database failures, for both kinds side by side, in one place.
 */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    /** A unique constraint was violated: PostgreSQL SQLSTATE 23505, MySQL error 1062. */
    public static boolean isUniqueViolation(Throwable failure) {
        // Hibernate Reactive wraps the driver's exception; the Vert.x clients do not.
        for (Throwable t = failure; t != null; t = t.getCause()) {
            boolean unique = switch (t) {
                case PgException pg -> "23505".equals(pg.getSqlState());
                case MySQLException my -> my.getErrorCode() == 1062;
                default -> false;
            };
            if (unique) {
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

    /** A connect, authentication included, did not finish within the connect timeout (see {@link Connector}). */
    public static boolean isConnectTimeout(Throwable failure) {
        return failure instanceof Connector.ConnectTimeout;
    }

    /**
     * The database could not be reached or no connection could be had in time: a condition of the
     * server or the pool, not of the request.
     */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedChannelException || t instanceof UnknownHostException
                    || t instanceof Connector.ConnectTimeout) {
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
