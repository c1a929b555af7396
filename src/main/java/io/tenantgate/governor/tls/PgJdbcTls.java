package io.tenantgate.governor.tls;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tenantgate.governor.route.TlsMode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * pgjdbc's {@code sslfactory} for the tenant migrations: the same TLS as the live pools
 * ({@link DriverTls}), instead of pgjdbc's own {@code LibPQFactory}, which reads {@code ~/.postgresql/root.crt}
 * and PKCS#8 DER keys. pgjdbc makes one per connection, by class name, with the connection's
 * properties ({@code PGHOST}, {@code PGPORT}, {@code sslmode}), so each connection takes the
 * material in force when it starts. With {@code verify-full} the host is checked in the handshake
 * (as the live pools do), and pgjdbc checks it again after.
 */
@RegisterForReflection(methods = false, fields = false)
public final class PgJdbcTls extends SSLSocketFactory {

    private final DriverTls attempt;
    private final SSLSocketFactory sockets;

    public PgJdbcTls(Properties info) {
        String host = info.getProperty("PGHOST");
        String port = info.getProperty("PGPORT");
        if (host == null || port == null || host.contains(",")) {
            throw new IllegalArgumentException("one PostgreSQL host and port expected, got " + host + ":" + port);
        }
        this.attempt = DriverTls.of(host + ":" + port, mode(info.getProperty("sslmode")).name());
        this.sockets = attempt.sslContext().getSocketFactory();
    }

    /** The tenant's mode, as {@code MigrationConnections} spelled it for pgjdbc. */
    private static TlsMode mode(String sslmode) {
        return switch (sslmode == null ? "" : sslmode) {
            case "require" -> TlsMode.REQUIRED;
            case "verify-ca" -> TlsMode.VERIFY_CA;
            case "verify-full" -> TlsMode.VERIFY_FULL;
            default -> throw new IllegalArgumentException("no TLS expected with sslmode " + sslmode);
        };
    }

    /** The one pgjdbc calls: TLS over the connection it opened and sent {@code SSLRequest} on. */
    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return attempt.checkHost((SSLSocket) sockets.createSocket(socket, host, port, autoClose));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return sockets.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return sockets.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return attempt.checkHost((SSLSocket) sockets.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return attempt.checkHost((SSLSocket) sockets.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return attempt.checkHost((SSLSocket) sockets.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return attempt.checkHost((SSLSocket) sockets.createSocket(address, port, localAddress, localPort));
    }
}
