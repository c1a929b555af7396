package io.tenantgate.governor.tls;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tenantgate.governor.route.TlsMode;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.HostAddress;
import org.mariadb.jdbc.export.ExceptionFactory;
import org.mariadb.jdbc.export.SslMode;
import org.mariadb.jdbc.plugin.TlsSocketPlugin;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * MariaDB Connector/J's TLS plug-in ({@code tlsSocketType=tenantgate}) for the tenant migrations:
 * the same TLS as the live pools ({@link DriverTls}), instead of the driver's own trust (which also
 * accepts MariaDB 11.4's self-signed certificates by a fingerprint the Vert.x client does not know,
 * so a tenant could be proved that the live pool cannot reach).
 *
 * <p>The driver finds plug-ins with a new {@link java.util.ServiceLoader} for every connection, so
 * an instance serves one connection: it takes the attempt when the driver asks for trust managers,
 * which is before it asks for the socket.
 */
@RegisterForReflection
public final class MariaDbJdbcTls implements TlsSocketPlugin {

    /** The value of Connector/J's {@code tlsSocketType} that selects this plug-in. */
    public static final String TYPE = "tenantgate";

    private DriverTls attempt;
    private HostAddress address;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public TrustManager[] getTrustManager(Configuration conf, ExceptionFactory exceptionFactory, HostAddress hostAddress) {
        SslMode sslMode = hostAddress.sslMode == null ? conf.sslMode() : hostAddress.sslMode;
        this.address = hostAddress;
        this.attempt = DriverTls.of(hostAddress.host + ":" + hostAddress.port, (switch (sslMode) {
            case DISABLE -> TlsMode.DISABLED;
            case TRUST -> TlsMode.REQUIRED;
            case VERIFY_CA -> TlsMode.VERIFY_CA;
            case VERIFY_FULL -> TlsMode.VERIFY_FULL;
        }).name());
        return new TrustManager[] {attempt.trustManager()};
    }

    @Override
    public KeyManager[] getKeyManager(Configuration conf, ExceptionFactory exceptionFactory) {
        return attempt.keyManager() == null ? null : new KeyManager[] {attempt.keyManager()};
    }

    /** With the tenant's host name, not the address the driver would pass: SNI and the host check need it. */
    @Override
    public SSLSocket createSocket(Socket socket, SSLSocketFactory sslSocketFactory) throws IOException {
        return attempt.checkHost((SSLSocket) sslSocketFactory.createSocket(socket, address.host, address.port, true));
    }

    /**
     * Nothing more to check: with {@code verify-full} the JDK checked the host against the
     * certificate during the handshake ({@link DriverTls#checkHost}), the same check the live
     * pools make, and a mismatch failed the handshake.
     */
    @Override
    public void verify(String host, SSLSession sslSession, long serverThreadId) {
    }
}
