package io.tenantgate.control.lifecycle;

import io.tenantgate.platform.problem.ProblemException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/**
 * Why a tenant's database could not be set up (connect and migrate), as a 422 that names the
 * cause, so an operator can fix the request. Nothing is stored when this happens.
 */
final class TenantSetupFailures {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(TenantSetupFailures.class);

    private TenantSetupFailures() {
    }

    /**
     * The answer for the operator, and a log line with the real cause: the answer names the kind of
     * failure, the log says what happened (the exception's class and message, which name hosts,
     * users and SQL states, never a password).
     */
    static Throwable toProblem(String tenant, Throwable failure) {
        Throwable problem = toProblem(failure);
        LOG.warnf("setting up the database of tenant %s failed (%s): %s", tenant,
                problem instanceof ProblemException p ? p.type() : "unexpected", causes(failure));
        return problem;
    }

    private static String causes(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null && text.length() < 2_000; t = t.getCause()) {
            text.append(text.isEmpty() ? "" : " <- ").append(t.getClass().getName()).append(": ").append(t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return text.toString();
    }

    private static Throwable toProblem(Throwable failure) {
        if (failure instanceof ProblemException) {
            return failure;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return unprocessable("tenant-database-unreachable", "the host " + t.getMessage() + " is unknown");
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException) {
                return unprocessable("tenant-database-unreachable",
                        "the tenant's database server could not be reached: " + t.getMessage());
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState() == null ? "" : sql.getSQLState();
                int code = sql.getErrorCode();
                if (state.equals("28P01") || state.equals("28000") || code == 1045) {
                    return unprocessable("tenant-credentials-rejected",
                            "the tenant's database rejected the user name or password");
                }
                if (state.equals("3D000") || code == 1049 || code == 1044) {
                    return unprocessable("tenant-database-missing",
                            "the database does not exist or the user may not use it");
                }
                if (state.startsWith("08")) {
                    return unprocessable("tenant-database-unreachable",
                            "the tenant's database server could not be reached");
                }
            }
        }
        return unprocessable("tenant-migration-failed",
                "the tenant's database could not be migrated; see the service log");
    }

    private static ProblemException unprocessable(String type, String detail) {
        return new ProblemException(422, type, "Unprocessable tenant", detail);
    }
}
