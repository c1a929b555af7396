package io.tenantgate.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedMariaDbServer;
import io.tenantgate.demo.embedded.EmbeddedPostgresServer;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.route.DatabaseKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * TLS-only tenant database servers, shaped like managed ones: a PostgreSQL ({@code hostssl} only)
 * and a MariaDB ({@code require_secure_transport}), each presenting a certificate for
 * {@code localhost} signed by a private CA ({@link #providerCa()}), as a provider's are. The
 * application trusts that CA through the documented setting, a PEM bundle of
 * {@value #BUNDLE_SIZE} CA certificates (as large as the RDS global bundle); on {@code localhost} it
 * presents a client certificate (a per-server setting), on {@code 127.0.0.1} none.
 *
 * <p>Users named {@code x509_*} must present a client certificate the provider's CA signed; on
 * PostgreSQL ({@code clientcert=verify-full}) its common name must be the user name, so the one
 * client certificate names {@link #CLIENT_CERT_USER}.
 *
 * <p>A test may make a server present another certificate ({@link #present}) and replace the
 * application's CA bundle file ({@link #trust}); it puts both back when it is done ({@link #reset}).
 * Everything is under {@code target/tls-servers/} and deleted when the run stops.
 */
public class TlsServers implements QuarkusTestResourceLifecycleManager {

    public static final int BUNDLE_SIZE = 100;
    /** The user of the client certificate, and so the one client-certificate user of each server. */
    public static final String CLIENT_CERT_USER = EmbeddedServer.Tls.CLIENT_CERT_USER_PREFIX + "tenantgate";
    /** How often the application looks at its TLS files under test. */
    public static final String RELOAD_PERIOD = "200ms";

    private static volatile Path dir;
    private static volatile TestPki.Ca providerCa;
    private static volatile TestPki.Ca otherCa;
    private static volatile EmbeddedPostgresServer postgres;
    private static volatile EmbeddedMariaDbServer mariadb;
    private static volatile TestPki.Issued serverCertificate;

    @Override
    public Map<String, String> start() {
        dir = Path.of("target/tls-servers/run-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        providerCa = TestPki.ca("tenantgate test provider CA");
        otherCa = TestPki.ca("tenantgate test other CA");
        serverCertificate = providerCa.server("localhost");
        TestPki.Issued client = providerCa.client(CLIENT_CERT_USER);
        // The client key is a secret of the application's: no line of it may reach a log.
        SecretsLedger.record(client.privateKeyPem().lines().filter(l -> !l.startsWith("-----")).findFirst()
                .orElseThrow());
        EmbeddedServer.Tls tls = new EmbeddedServer.Tls(serverCertificate.certificatePem(),
                serverCertificate.privateKeyPem(), providerCa.certificatePem());
        postgres = new EmbeddedPostgresServer(dir.resolve("postgresql"), 100, Map.of(), tls);
        mariadb = new EmbeddedMariaDbServer(dir.resolve("mariadb"), 100, tls);
        try {
            Files.createDirectories(dir.resolve("app"));
            Files.writeString(dir.resolve("app/client.crt"), client.certificatePem());
            Files.writeString(dir.resolve("app/client.key"), client.privateKeyPem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        trust(providerCa);
        Map<String, String> config = new HashMap<>();
        config.put("tenantgate.database-tls.ca-files", bundleFile().toString());
        config.put("tenantgate.database-tls.reload-period", RELOAD_PERIOD);
        for (EmbeddedServer server : new EmbeddedServer[] {postgres, mariadb}) {
            String entry = "tenantgate.database-tls.servers.\"localhost:" + server.port() + "\".";
            config.put(entry + "client-cert-file", dir.resolve("app/client.crt").toString());
            config.put(entry + "client-key-file", dir.resolve("app/client.key").toString());
        }
        // One connection for everyone on the MariaDB's 127.0.0.1 alias: a second tenant's request
        // there is served by moving the first one's connection (changeUser).
        config.put("tenantgate.budget.servers.\"127.0.0.1:" + mariadb.port() + "\"", "1");
        return config;
    }

    /** The CA that signs the servers' certificates and the client certificate, as a provider's does. */
    public static TestPki.Ca providerCa() {
        return providerCa;
    }

    /** A CA the application does not trust unless a test puts it in the bundle. */
    public static TestPki.Ca otherCa() {
        return otherCa;
    }

    public static EmbeddedServer server(DatabaseKind kind) {
        return kind == DatabaseKind.MYSQL ? mariadb : postgres;
    }

    private static final Map<DatabaseKind, String> CLIENT_CERT_PASSWORDS = new java.util.EnumMap<>(DatabaseKind.class);

    /**
     * The password of {@link #CLIENT_CERT_USER} on the server of {@code kind}, which is made on first
     * use: a user that must also present a client certificate.
     */
    public static synchronized String clientCertUserPassword(DatabaseKind kind) {
        return CLIENT_CERT_PASSWORDS.computeIfAbsent(kind, k -> {
            String password = SecretsLedger.record(UUID.randomUUID().toString());
            server(k).createUser(CLIENT_CERT_USER, password, 0);
            return password;
        });
    }

    /** The CA bundle file the application reads. */
    public static Path bundleFile() {
        return dir.resolve("app/ca-bundle.pem");
    }

    /**
     * Replaces the application's CA bundle with {@value #BUNDLE_SIZE} certificates among which are
     * these CAs, in one atomic move, as a Kubernetes volume update swaps its files.
     */
    public static void trust(TestPki.Ca... cas) {
        try {
            Path next = dir.resolve("app/ca-bundle.pem.next");
            Files.writeString(next, TestPki.bundle(BUNDLE_SIZE, cas));
            Files.move(next, bundleFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes the server present a {@code localhost} certificate signed by {@code ca} to new connections. */
    public static void present(DatabaseKind kind, TestPki.Ca ca) {
        TestPki.Issued certificate = ca == providerCa ? serverCertificate : ca.server("localhost");
        EmbeddedServer server = server(kind);
        server.presentCertificate(certificate.certificatePem(), certificate.privateKeyPem());
        if (kind == DatabaseKind.POSTGRESQL) {
            PresentedCertificate.awaitPostgres("localhost", server.port(), certificate.certificatePem());
        }
    }

    /** Both servers present the provider's certificate and the application trusts the provider's CA, as at start. */
    public static void reset() {
        present(DatabaseKind.POSTGRESQL, providerCa);
        present(DatabaseKind.MYSQL, providerCa);
        trust(providerCa);
    }

    @Override
    public void stop() {
        for (AutoCloseable server : new AutoCloseable[] {mariadb, postgres}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception e) {
                System.err.println("stopping a TLS test server failed: " + e);
            }
        }
        mariadb = null;
        postgres = null;
        synchronized (TlsServers.class) {
            CLIENT_CERT_PASSWORDS.clear();
        }
        if (dir != null) {
            DemoServers.deleteTree(dir);
        }
    }
}
