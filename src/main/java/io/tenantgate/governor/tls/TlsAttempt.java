package io.tenantgate.governor.tls;

import io.tenantgate.governor.route.TlsMode;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS of one connection attempt to one server: the material in force when it began (a reload
 * during the handshake does not change it) and what its {@code tlsMode} asks for. The live pools
 * (Vert.x), and the migrations' JDBC drivers through {@link DriverTls}, all take one, so every path
 * trusts the same CAs, presents the same client certificate and checks the host the same way: the
 * JDK's {@code HTTPS} endpoint identification in the handshake.
 *
 * <p>It remembers why it refused the server's certificate: the Vert.x PostgreSQL client reports a
 * failed handshake only as "SSL handshake failed", and the reason is what an operator needs.
 */
public final class TlsAttempt {

    /** The JDK's endpoint identification: the host must be named in the certificate, as HTTPS does. */
    public static final String HOST_CHECK = "HTTPS";

    private final TlsMode mode;
    private final X509ExtendedTrustManager trust;
    private final X509ExtendedKeyManager keys;
    private final AtomicReference<CertificateException> rejection = new AtomicReference<>();

    TlsAttempt(TlsMode mode, TlsMaterial material) {
        this.mode = mode;
        this.keys = material.keys();
        this.trust = switch (mode) {
            case DISABLED -> null;
            // Encrypted, identity not checked: exactly what REQUIRED promises, and no more.
            case REQUIRED -> new AcceptAny();
            case VERIFY_CA, VERIFY_FULL -> new Recording(material.trust());
        };
    }

    public TlsMode mode() {
        return mode;
    }

    /** Whether the host must be named in the server's certificate. */
    public boolean verifiesHost() {
        return mode == TlsMode.VERIFY_FULL;
    }

    /** The trust manager for this attempt; null for {@code DISABLED}. */
    public X509ExtendedTrustManager trustManager() {
        return trust;
    }

    /** The client certificate's key manager, or empty when none is configured for the server. */
    public Optional<X509ExtendedKeyManager> keyManager() {
        return Optional.ofNullable(keys);
    }

    /** Why the server's certificate was refused (not trusted, or not naming the host), if it was. */
    public Optional<CertificateException> rejection() {
        return Optional.ofNullable(rejection.get());
    }

    /** The JDK's PKIX check (and host check, when the socket or engine asks for it), remembering a refusal. */
    private final class Recording extends ServerOnly {
        private final X509ExtendedTrustManager pkix;

        Recording(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        private interface Check {
            void run() throws CertificateException;
        }

        private void recorded(Check check) throws CertificateException {
            try {
                check.run();
            } catch (CertificateException e) {
                rejection.compareAndSet(null, e);
                throw e;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            recorded(() -> pkix.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            recorded(() -> pkix.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            recorded(() -> pkix.checkServerTrusted(chain, authType));
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    /** {@code REQUIRED}: any certificate is accepted; the connection is encrypted, the server unverified. */
    private static final class AcceptAny extends ServerOnly {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** Trust for a client's side of the handshake only: tenantgate never accepts connections from databases. */
    private abstract static class ServerOnly extends X509ExtendedTrustManager {
        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("tenantgate is a client of its databases");
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("tenantgate is a client of its databases");
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("tenantgate is a client of its databases");
        }
    }
}
