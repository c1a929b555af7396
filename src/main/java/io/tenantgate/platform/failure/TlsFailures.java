package io.tenantgate.platform.failure;

import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.pgclient.PgException;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.sql.SQLException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Why TLS to a tenant database failed, for both kinds and for both paths to them (the live pools'
 * Vert.x clients, the migrations' JDBC drivers), side by side in one table. Every failure here
 * means the same thing as an unreachable server: at run time a sick database for the tenant's
 * breaker (a 503), when a tenant is added or changed a 422 that names the cause.
 *
 * <p>The drivers report these as exception types where they can and as messages where they do not
 * (the server's refusals of plain connections, a server without TLS); the messages matched are
 * the drivers' own and the servers' English ones.
 */
public final class TlsFailures {

    /** A kind of TLS failure; each names what to do about it. */
    public enum TlsFailure {
        /** The server offers no TLS, so only {@code DISABLED} can reach it. */
        NOT_OFFERED,
        /**
         * The server refused a connection without TLS. PostgreSQL says so of every {@code pg_hba.conf}
         * refusal of a plain connection: it accepts TLS only, or does not admit this address, user or
         * database at all.
         */
        REQUIRED_BY_SERVER,
        /** The server's certificate is not signed by a CA tenantgate trusts. */
        UNTRUSTED_CERTIFICATE,
        /** The server's certificate has expired, or is not valid yet. */
        CERTIFICATE_NOT_VALID_NOW,
        /** The server's certificate does not name the host the tenant connects to. */
        HOST_NOT_IN_CERTIFICATE,
        /** The server demands a client certificate and refused the one presented (or that none was). */
        CLIENT_CERTIFICATE_REFUSED,
        /** The TLS handshake failed otherwise (no common protocol version or cipher, a broken peer). */
        HANDSHAKE_FAILED
    }

    /** MySQL and MariaDB: "Connections using insecure transport are prohibited" (require_secure_transport). */
    static final int MYSQL_SECURE_TRANSPORT_REQUIRED = 3159;

    private TlsFailures() {
    }

    /** What kind of TLS failure this is, looking at it and every cause under it; empty if none. */
    public static Optional<TlsFailure> of(Throwable failure) {
        TlsFailure found = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            TlsFailure kind = kindOf(t);
            // The most specific cause wins: a handshake failure is explained by what is under it, an
            // untrusted path by an expired certificate under it.
            if (kind != null && (found == null || found == TlsFailure.HANDSHAKE_FAILED
                    || found == TlsFailure.UNTRUSTED_CERTIFICATE && kind == TlsFailure.CERTIFICATE_NOT_VALID_NOW)) {
                found = kind;
            }
        }
        return Optional.ofNullable(found);
    }

    public static boolean isTlsFailure(Throwable failure) {
        return of(failure).isPresent();
    }

    /**
     * The failure of a connect, with the reason the connect's own trust manager refused the
     * server's certificate put under it when the client reported only that the handshake failed
     * (the Vert.x PostgreSQL client does).
     */
    public static Throwable withRejection(Throwable failure, String server, CertificateException rejection) {
        if (rejection == null || of(failure).filter(kind -> kind != TlsFailure.HANDSHAKE_FAILED).isPresent()) {
            return failure;
        }
        SSLHandshakeException explained = new SSLHandshakeException("the TLS handshake with " + server
                + " failed: " + rejection.getMessage());
        explained.initCause(rejection);
        return explained;
    }

    private static TlsFailure kindOf(Throwable t) {
        String message = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException
                || t instanceof CertPathValidatorException v && (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                || v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
            return TlsFailure.CERTIFICATE_NOT_VALID_NOW;
        }
        if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException
                || message.contains("PKIX path") || message.contains("unable to find valid certification path")) {
            return TlsFailure.UNTRUSTED_CERTIFICATE;
        }
        if ((t instanceof CertificateException || t instanceof SSLException)
                && (message.contains("No subject alternative") || message.contains("No name matching"))
                || message.contains("could not be verified by hostnameverifier")
                || message.contains("SSL hostname verification failed")) {
            return TlsFailure.HOST_NOT_IN_CERTIFICATE;
        }
        if (message.contains("does not handle SSL connection") || message.contains("does not support SSL")
                || message.contains("ssl not enabled in the server")
                || t.getClass().getSimpleName().equals("NotSslRecordException")) {
            return TlsFailure.NOT_OFFERED;
        }
        if (refusedPlain(t, message)) {
            return TlsFailure.REQUIRED_BY_SERVER;
        }
        if (message.contains("requires a valid client certificate") || message.contains("certificate authentication failed")
                || t instanceof SSLException && refusedOurCertificate(message)) {
            return TlsFailure.CLIENT_CERTIFICATE_REFUSED;
        }
        // Only the handshake: an SSLException on an established connection ("Connection reset") is
        // a lost connection, not a failure to agree on TLS.
        if (t instanceof SSLHandshakeException || t instanceof VertxException && message.equals("SSL handshake failed")
                || t instanceof SSLException && message.contains("Received fatal alert")) {
            return TlsFailure.HANDSHAKE_FAILED;
        }
        return null;
    }

    /**
     * The server refused a connection because it was not encrypted: PostgreSQL finds no
     * {@code pg_hba.conf} entry "no encryption" (before version 13: "SSL off"), MySQL and MariaDB
     * error 3159.
     */
    private static boolean refusedPlain(Throwable t, String message) {
        boolean hba = message.contains("pg_hba.conf") && (message.contains("no encryption") || message.contains("SSL off"))
                || message.equals("SSL required") || message.startsWith("FATAL: SSL required"); // PgBouncer's client_tls_sslmode
        return switch (t) {
            case PgException pg -> hba;
            case MySQLException my -> my.getErrorCode() == MYSQL_SECURE_TRANSPORT_REQUIRED;
            case SQLException sql -> hba || sql.getErrorCode() == MYSQL_SECURE_TRANSPORT_REQUIRED
                    || message.contains("insecure transport are prohibited");
            default -> false;
        };
    }

    /** An alert the server sent about our certificate (TLS 1.3 servers check it after the handshake too). */
    private static boolean refusedOurCertificate(String message) {
        if (!message.contains("Received fatal alert")) {
            return false;
        }
        for (String alert : new String[] {"bad_certificate", "unknown_ca", "certificate_required", "certificate_unknown",
                "certificate_expired", "certificate_revoked", "unsupported_certificate", "access_denied"}) {
            if (message.contains(alert)) {
                return true;
            }
        }
        return false;
    }
}
