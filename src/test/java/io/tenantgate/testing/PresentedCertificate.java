package io.tenantgate.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Which certificate a TLS-only PostgreSQL presents to a new connection: its {@code SSLRequest}
 * preamble, then a handshake that accepts anything and only looks. A reload of the server's
 * configuration takes effect a moment after {@code pg_reload_conf()} returns; this waits for it.
 * A test tool: the only trust manager in the code base that accepts anything, kept out of
 * {@code src/main} and {@code src/demo}.
 */
public final class PresentedCertificate {

    /** The {@code SSLRequest} code of the PostgreSQL protocol. */
    private static final int SSL_REQUEST = 80877103;

    private PresentedCertificate() {
    }

    public static void awaitPostgres(String host, int port, String certificatePem) {
        X509Certificate expected = parse(certificatePem);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            X509Certificate seen = null;
            try {
                seen = postgres(host, port);
            } catch (IOException | GeneralSecurityException e) {
                // not yet listening or mid-reload: look again
            }
            if (expected.equals(seen)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PostgreSQL on port " + port + " did not present the new certificate");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static X509Certificate postgres(String host, int port) throws IOException, GeneralSecurityException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), 2_000);
            plain.setSoTimeout(2_000);
            DataOutputStream out = new DataOutputStream(plain.getOutputStream());
            out.writeInt(8);
            out.writeInt(SSL_REQUEST);
            out.flush();
            if (new DataInputStream(plain.getInputStream()).readByte() != 'S') {
                throw new IOException("the server declined TLS");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new LookOnly()}, null);
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, false)) {
                tls.startHandshake();
                Certificate[] chain = tls.getSession().getPeerCertificates();
                return (X509Certificate) chain[0];
            }
        }
    }

    private static X509Certificate parse(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
    }

    /** Accepts any server certificate: this only looks at what is presented. */
    private static final class LookOnly implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
