package io.tenantgate.governor.tls;

import java.lang.reflect.InvocationTargetException;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS of one JDBC connection of the migrations, as its driver's plug-in ({@link PgJdbcTls},
 * {@link MariaDbJdbcTls}) sees it: the same trust manager and client certificate as a live pool's
 * {@link TlsAttempt} for the server, and the same host check ({@code HTTPS} endpoint identification
 * in the handshake).
 *
 * <p>The drivers make their plug-ins by class name with their own class loader. In the packaged
 * application and the native executable that is the application's; in test and dev mode the
 * drivers are loaded by the system class loader, which makes a second copy of these classes
 * whose {@link DatabaseTls} never started. So the attempt is asked of the running instance in JDK
 * types, and a copy that finds none of its own asks the application's class loader (the thread's
 * context class loader, as the migrations run on the application's worker threads).
 */
final class DriverTls {

    private final X509ExtendedTrustManager trust;
    private final X509ExtendedKeyManager keys;
    private final boolean checkHost;

    private DriverTls(X509ExtendedTrustManager trust, X509ExtendedKeyManager keys, boolean checkHost) {
        this.trust = trust;
        this.keys = keys;
        this.checkHost = checkHost;
    }

    /** The TLS of a new connection to {@code server} ({@code host:port}) in {@code tlsMode} (a {@code TlsMode} name). */
    static DriverTls of(String server, String tlsMode) {
        Object[] parts;
        if (DatabaseTls.started()) {
            parts = DatabaseTls.forDriver(server, tlsMode);
        } else {
            parts = fromApplication(server, tlsMode);
        }
        return new DriverTls((X509ExtendedTrustManager) parts[0], (X509ExtendedKeyManager) parts[1], (Boolean) parts[2]);
    }

    private static Object[] fromApplication(String server, String tlsMode) {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        try {
            Class<?> running = Class.forName(DatabaseTls.class.getName(), true, application);
            if (running == DatabaseTls.class) {
                throw new IllegalStateException("tenantgate's database TLS is not started");
            }
            return (Object[]) running.getMethod("forDriver", String.class, String.class).invoke(null, server, tlsMode);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("tenantgate's database TLS cannot be found from the JDBC driver", e);
        }
    }

    /** A TLS context with this connection's trust and client certificate. */
    SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : new KeyManager[] {keys}, trust == null ? null : new TrustManager[] {trust},
                    null);
            return context;
        } catch (NoSuchAlgorithmException | KeyManagementException e) {
            throw new IllegalStateException("the JDK offers no TLS context", e);
        }
    }

    X509ExtendedTrustManager trustManager() {
        return trust;
    }

    X509ExtendedKeyManager keyManager() {
        return keys;
    }

    /** Turns the host check on for the handshake of a socket this connection's context made ({@code VERIFY_FULL}). */
    SSLSocket checkHost(SSLSocket socket) {
        if (checkHost) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm(TlsAttempt.HOST_CHECK);
            socket.setSSLParameters(parameters);
        }
        return socket;
    }
}
