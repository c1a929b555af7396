package io.tenantgate.platform.failure;

import io.vertx.pgclient.PgException;

import java.util.Optional;

/**
 * A tenant database server (or what answers at its address) that tenantgate cannot serve as it is
 * configured: too old for a setting tenantgate relies on, a PgBouncer not declared as one, or a
 * PgBouncer in transaction mode without the server-side settings it needs. Adding the tenant is
 * refused with a 422 {@code tenant-database-unsupported} whose detail says what to change.
 */
public final class UnsupportedServer extends RuntimeException {

    /** The first PostgreSQL release with {@code idle_session_timeout}, which replica leases rely on. */
    public static final int MIN_POSTGRESQL_WITH_LEASES = 14;

    public UnsupportedServer(String detail) {
        super(detail, null, false, false);
    }

    /** The reason, in words that say what to change; never a password. */
    public String detail() {
        return getMessage();
    }

    /**
     * The refusal a server's error means, if it means one: PostgreSQL before 14 does not know
     * {@code idle_session_timeout} (SQLSTATE 42704); PgBouncer refuses start-up parameters it is not
     * told to ignore ("unsupported startup parameter").
     */
    public static Optional<UnsupportedServer> of(Throwable failure, String server) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnsupportedServer unsupported) {
                return Optional.of(unsupported);
            }
            if (!(t instanceof PgException pg)) {
                continue;
            }
            String message = String.valueOf(pg.getErrorMessage());
            if ("42704".equals(pg.getSqlState()) && message.contains("idle_session_timeout")) {
                return Optional.of(new UnsupportedServer("the PostgreSQL server at " + server + " is older than "
                        + MIN_POSTGRESQL_WITH_LEASES + ": it has no idle_session_timeout, with which replica leases"
                        + " (tenantgate.budget.lease.enabled, on by default) have a stopped replica's connections"
                        + " closed; use PostgreSQL " + MIN_POSTGRESQL_WITH_LEASES + " or later, or turn leases off"
                        + " where one replica runs"));
            }
            if (message.startsWith("unsupported startup parameter")) {
                return Optional.of(new UnsupportedServer("what answers at " + server + " refused a start-up"
                        + " parameter (" + message + "), as PgBouncer does: list " + server
                        + " in tenantgate.pgbouncer.session-mode or tenantgate.pgbouncer.transaction-mode, as its"
                        + " pool_mode says, and extra_float_digits in its ignore_startup_parameters"));
            }
        }
        return Optional.empty();
    }
}
