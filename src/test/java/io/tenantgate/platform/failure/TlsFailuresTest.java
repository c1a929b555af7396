package io.tenantgate.platform.failure;

import io.netty.handler.ssl.NotSslRecordException;
import io.tenantgate.platform.failure.TlsFailures.TlsFailure;
import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS failure table, row by row, with the exceptions and messages the clients really produce
 * (taken from TLS-only and plain servers: the live pools' Vert.x clients, the migrations' pgjdbc
 * and Connector/J): what each failure is, that every one is a sick database and none a transient
 * one, and that failures that only look alike are not taken for TLS.
 */
class TlsFailuresTest {

    private static Optional<TlsFailure> of(Throwable failure) {
        return TlsFailures.of(failure);
    }

    private static SSLHandshakeException handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }

    @Test
    void aServerWithoutTlsIsNamedByEveryClient() {
        assertEquals(Optional.of(TlsFailure.NOT_OFFERED), of(new Exception("Postgres Server does not handle SSL connection")));
        assertEquals(Optional.of(TlsFailure.NOT_OFFERED), of(new NotSslRecordException("not an SSL/TLS record: 16000002ff")));
        assertEquals(Optional.of(TlsFailure.NOT_OFFERED), of(new PSQLException("The server does not support SSL.",
                PSQLState.CONNECTION_REJECTED)));
        assertEquals(Optional.of(TlsFailure.NOT_OFFERED), of(new SQLNonTransientConnectionException(
                "(conn=7) Trying to connect with ssl, but ssl not enabled in the server", "08000")));
    }

    @Test
    void aTlsOnlyServerRefusingAPlainConnectionIsNamed() {
        String hba = "no pg_hba.conf entry for host \"127.0.0.1\", user \"acme\", database \"acme\", no encryption";
        assertEquals(Optional.of(TlsFailure.REQUIRED_BY_SERVER), of(new PgException(hba, "FATAL", "28000", null)));
        assertEquals(Optional.of(TlsFailure.REQUIRED_BY_SERVER), of(new PSQLException("FATAL: " + hba,
                PSQLState.INVALID_AUTHORIZATION_SPECIFICATION)));
        assertEquals(Optional.of(TlsFailure.REQUIRED_BY_SERVER), of(new MySQLException(
                "Connections using insecure transport are prohibited while --require_secure_transport=ON.", 3159, "08004")));
        assertEquals(Optional.of(TlsFailure.REQUIRED_BY_SERVER), of(new SQLNonTransientConnectionException(
                "(conn=6) Connections using insecure transport are prohibited while --require_secure_transport=ON.",
                "08004", 3159)));
        // PgBouncer with client_tls_sslmode = require, to the pools' client and to the migrations' JDBC driver.
        assertEquals(Optional.of(TlsFailure.REQUIRED_BY_SERVER), of(new PgException("SSL required", "FATAL", "08P01", null)));
        assertEquals(Optional.of(TlsFailure.REQUIRED_BY_SERVER), of(new PSQLException("FATAL: SSL required",
                PSQLState.PROTOCOL_VIOLATION)));
        // The same refusal of an encrypted connection is not about TLS.
        assertEquals(Optional.empty(), of(new PgException("no pg_hba.conf entry for host \"127.0.0.1\", user \"acme\","
                + " database \"acme\", SSL encryption", "FATAL", "28000", null)));
    }

    @Test
    void certificatesThatAreNotTrustedExpiredOrForAnotherHostAreTold() {
        assertEquals(Optional.of(TlsFailure.UNTRUSTED_CERTIFICATE), of(handshake("(certificate_unknown) PKIX path"
                + " building failed: unable to find valid certification path to requested target",
                new CertPathBuilderException("unable to find valid certification path to requested target"))));
        assertEquals(Optional.of(TlsFailure.CERTIFICATE_NOT_VALID_NOW), of(handshake("(certificate_unknown) PKIX path"
                + " validation failed: java.security.cert.CertPathValidatorException: validity check failed",
                new CertPathValidatorException("validity check failed", new CertificateExpiredException("NotAfter"),
                        null, -1, CertPathValidatorException.BasicReason.EXPIRED))));
        assertEquals(Optional.of(TlsFailure.HOST_NOT_IN_CERTIFICATE), of(handshake(
                "(certificate_unknown) No subject alternative names matching IP address 127.0.0.1 found",
                new CertificateException("No subject alternative names matching IP address 127.0.0.1 found"))));
        assertEquals(Optional.of(TlsFailure.HOST_NOT_IN_CERTIFICATE), of(new PSQLException(
                "The hostname 127.0.0.1 could not be verified by hostnameverifier PgjdbcHostnameVerifier.",
                PSQLState.CONNECTION_FAILURE)));
        assertEquals(Optional.of(TlsFailure.HOST_NOT_IN_CERTIFICATE), of(new SQLNonTransientConnectionException(
                "(conn=17) SSL hostname verification failed : IPv4 host \"127.0.0.1\" doesn't correspond to certificate"
                        + " CN \"localhost\"", "08006")));
    }

    /**
     * The Vert.x PostgreSQL client reports any failed handshake as "SSL handshake failed"; the
     * connect's trust manager knows why, and the governor puts that under it.
     */
    @Test
    void aBareHandshakeFailureIsExplainedByTheTrustManagersRefusal() {
        VertxException bare = new VertxException("SSL handshake failed", true);
        assertEquals(Optional.of(TlsFailure.HANDSHAKE_FAILED), of(bare));
        Throwable explained = TlsFailures.withRejection(bare, "db:5432",
                new CertificateException("No subject alternative names matching IP address 127.0.0.1 found"));
        assertEquals(Optional.of(TlsFailure.HOST_NOT_IN_CERTIFICATE), of(explained));
        assertTrue(explained.getMessage().contains("db:5432"));
        // Nothing to add where the client already said what it was, or where nothing was refused.
        MySQLException refused = new MySQLException("Connections using insecure transport are prohibited", 3159, "08004");
        assertEquals(refused, TlsFailures.withRejection(refused, "db:3306", new CertificateException("x")));
        assertEquals(bare, TlsFailures.withRejection(bare, "db:5432", null));
    }

    @Test
    void clientCertificateRefusalsAreTold() {
        assertEquals(Optional.of(TlsFailure.CLIENT_CERTIFICATE_REFUSED), of(new PgException(
                "connection requires a valid client certificate", "FATAL", "28000", null)));
        assertEquals(Optional.of(TlsFailure.CLIENT_CERTIFICATE_REFUSED), of(new PSQLException(
                "FATAL: connection requires a valid client certificate", PSQLState.INVALID_AUTHORIZATION_SPECIFICATION)));
        assertEquals(Optional.of(TlsFailure.CLIENT_CERTIFICATE_REFUSED), of(new SSLException(
                "Received fatal alert: unknown_ca")));
        assertEquals(Optional.of(TlsFailure.CLIENT_CERTIFICATE_REFUSED), of(new SSLHandshakeException(
                "Received fatal alert: certificate_required")));
        assertEquals(Optional.of(TlsFailure.HANDSHAKE_FAILED), of(new SSLHandshakeException(
                "Received fatal alert: protocol_version")));
    }

    @Test
    void lookAlikesAreNotTls() {
        // Lost connections that happen to be encrypted are lost connections: retried, not refused.
        assertEquals(Optional.empty(), of(new SSLException("Connection reset")));
        assertEquals(Optional.empty(), of(ClosedConnectionException.INSTANCE));
        // A wrong password, also MariaDB's answer to a REQUIRE X509 user without a certificate.
        assertEquals(Optional.empty(), of(new PgException("password authentication failed for user \"acme\"", "FATAL",
                "28P01", null)));
        assertEquals(Optional.empty(), of(new SQLInvalidAuthorizationSpecException(
                "(conn=46) Access denied for user 'x509_tenantgate'@'localhost' (using password: YES)", "28000", 1045)));
    }

    @Test
    void everyTlsFailureIsASickDatabaseNeverATransientOne() {
        for (Throwable failure : new Throwable[] {
                new Exception("Postgres Server does not handle SSL connection"),
                new MySQLException("Connections using insecure transport are prohibited", 3159, "08004"),
                handshake("PKIX path building failed", new CertPathBuilderException("no path")),
                new VertxException("SSL handshake failed", true)}) {
            assertTrue(DatabaseFailures.isUnavailable(failure), failure.toString());
            assertTrue(DatabaseFailures.countsAgainstTenant(failure), failure.toString());
            assertFalse(DatabaseFailures.isTransient(failure), "not retried: " + failure);
            assertTrue(DatabaseFailures.describe(failure).startsWith("TLS: "), DatabaseFailures.describe(failure));
        }
    }
}
