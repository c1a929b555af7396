package io.tenantgate.control.lifecycle;

import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.platform.failure.ConnectTimeout;
import io.tenantgate.platform.failure.GovernorRejection;
import io.tenantgate.platform.failure.TlsFailures;
import io.tenantgate.platform.failure.UnsupportedServer;
import io.tenantgate.platform.failure.TlsFailures.TlsFailure;
import io.tenantgate.platform.problem.ProblemException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.pgclient.PgException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Why a tenant's database could not be set up (connect as the live pool does, then migrate), as a
 * 422 that names the cause, so an operator can fix the request. Nothing is stored when this
 * happens. TLS failures ({@link TlsFailures}) get their own type, {@code tenant-database-tls},
 * whose detail says which one it was and what to change.
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
    static Throwable toProblem(TenantRoute route, boolean clientCertificate, boolean migrating, Throwable failure) {
        Throwable problem = answerFor(route, clientCertificate, migrating, failure);
        LOG.warnf("setting up the database of tenant %s failed (%s): %s", route.key(),
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

    private static Throwable answerFor(TenantRoute route, boolean clientCertificate, boolean migrating,
                                       Throwable failure) {
        if (failure instanceof ProblemException) {
            return failure;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof GovernorRejection rejection) {
                return rejection; // a full budget is the 503 it is everywhere, also under the JDBC driver's wrapping
            }
        }
        Optional<UnsupportedServer> unsupported = UnsupportedServer.of(failure, route.server());
        if (unsupported.isPresent()) {
            return unprocessable("tenant-database-unsupported", unsupported.get().detail());
        }
        Optional<TlsFailure> tls = TlsFailures.of(failure);
        if (tls.isPresent()) {
            return unprocessable("tenant-database-tls", tlsDetail(tls.get(), route, clientCertificate));
        }
        boolean encrypted = route.tlsMode() != TlsMode.DISABLED;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return unprocessable("tenant-database-unreachable", "the host " + t.getMessage() + " is unknown");
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException) {
                return unprocessable("tenant-database-unreachable",
                        "the tenant's database server could not be reached: " + t.getMessage());
            }
            if (t instanceof ConnectTimeout) {
                return unprocessable("tenant-database-unreachable",
                        "the tenant's database server did not complete a connection within the connect timeout");
            }
            // The migrations' JDBC drivers and the live pools' Vert.x clients, side by side.
            String state = switch (t) {
                case SQLException sql -> sql.getSQLState();
                case PgException pg -> pg.getSqlState();
                case MySQLException my -> my.getSqlState();
                default -> null;
            };
            if (state != null || t instanceof SQLException || t instanceof MySQLException) {
                state = state == null ? "" : state;
                int code = t instanceof SQLException sql ? sql.getErrorCode()
                        : t instanceof MySQLException my ? my.getErrorCode() : 0;
                if (state.equals("28P01") || state.equals("28000") || code == 1045) {
                    return unprocessable("tenant-credentials-rejected", credentialsDetail(route, encrypted,
                            clientCertificate));
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
        return migrating
                ? unprocessable("tenant-migration-failed", "the tenant's database could not be migrated; see the service log")
                : unprocessable("tenant-database-unreachable",
                        "the tenant's database could not be used as its pool will use it; see the service log");
    }

    /** What went wrong with TLS, in words that say what to change. */
    private static String tlsDetail(TlsFailure failure, TenantRoute route, boolean clientCertificate) {
        return switch (failure) {
            case NOT_OFFERED -> "the tenant's database server offers no TLS, only plain connections: turn TLS on at"
                    + " the server, or use tlsMode DISABLED where the network is trusted";
            case REQUIRED_BY_SERVER -> "the tenant's database server refused the connection without TLS (tlsMode"
                    + " DISABLED): it accepts TLS only (use tlsMode VERIFY_FULL), or it admits no connection from"
                    + " here for this user and database at all";
            case UNTRUSTED_CERTIFICATE -> "the certificate of the tenant's database server is not signed by a CA"
                    + " tenantgate trusts: add the server's CA (your provider's CA bundle) to"
                    + " tenantgate.database-tls.ca-files";
            case CERTIFICATE_NOT_VALID_NOW -> "the certificate of the tenant's database server has expired or is not"
                    + " valid yet: the server must present a current certificate";
            case HOST_NOT_IN_CERTIFICATE -> "the certificate of the tenant's database server does not name the host "
                    + route.host() + ": use a host name the certificate names, or tlsMode VERIFY_CA to check the"
                    + " CA only";
            case CLIENT_CERTIFICATE_REFUSED -> clientCertificate
                    ? "the tenant's database server refused the client certificate tenantgate presented: it must be"
                    + " signed by a CA the server trusts (with PostgreSQL's clientcert=verify-full, its common name"
                    + " must be the user name)"
                    : "the tenant's database server demands a client certificate and none is configured for it: set"
                    + " tenantgate.database-tls.client-cert-file and client-key-file";
            case HANDSHAKE_FAILED -> "the TLS handshake with the tenant's database server failed: no TLS version or"
                    + " cipher in common, or the server ended the connection during the handshake";
        };
    }

    /**
     * MySQL and MariaDB refuse a user whose {@code REQUIRE X509} is not met with the same error as a
     * wrong password, and PostgreSQL a client certificate whose name is not the user's: say so
     * where it can be the cause.
     */
    private static String credentialsDetail(TenantRoute route, boolean encrypted, boolean clientCertificate) {
        String detail = "the tenant's database rejected the user name or password";
        if (!encrypted) {
            return detail;
        }
        if (!clientCertificate && route.kind() == DatabaseKind.MYSQL) {
            return detail + ", or the user requires a client certificate (REQUIRE X509 or SSL) and none is configured"
                    + " for this server: set tenantgate.database-tls.client-cert-file and client-key-file";
        }
        if (clientCertificate && route.kind() == DatabaseKind.POSTGRESQL) {
            return detail + ", or the server checks the client certificate's name (clientcert=verify-full) and it is"
                    + " not the user name";
        }
        return detail;
    }

    private static ProblemException unprocessable(String type, String detail) {
        return new ProblemException(422, type, "Unprocessable tenant", detail);
    }
}
