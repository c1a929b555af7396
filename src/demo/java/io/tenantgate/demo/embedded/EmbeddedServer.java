package io.tenantgate.demo.embedded;

import io.tenantgate.governor.route.DatabaseKind;

/**
 * A real database server started in-process for tests and the demo, never in production.
 *
 * <p>Every server listens on a free loopback port and lives in its own directories under
 * {@code target/}, so parallel runs never share state. Implementations create non-privileged
 * users: privileged MySQL users get an extra reserved connection slot, which would hide
 * connection-budget bugs.
 */
public interface EmbeddedServer extends AutoCloseable {

    /**
     * A TLS-only server, as managed databases are: the certificate and key it presents (PEM) and the
     * CA it checks client certificates against. Plain TCP is refused; so is any log-in without
     * TLS. Users named {@code x509_*} must also present a client certificate that CA signed
     * (PostgreSQL {@code clientcert=verify-full}, whose common name must be the user name; MariaDB
     * {@code REQUIRE X509}).
     */
    record Tls(String certificatePem, String privateKeyPem, String clientCaPem) {

        /** The user-name prefix of users that must present a client certificate. */
        public static final String CLIENT_CERT_USER_PREFIX = "x509_";

        /**
         * Writes a certificate and its key as {@code server.crt} and {@code server.key} in {@code dir},
         * the key readable by its owner only (PostgreSQL refuses one others may read).
         */
        static void writeServerCertificate(java.nio.file.Path dir, String certificatePem, String privateKeyPem) {
            try {
                java.nio.file.Files.writeString(dir.resolve("server.crt"), certificatePem);
                java.nio.file.Path key = dir.resolve("server.key");
                java.nio.file.Files.writeString(key, privateKeyPem);
                java.nio.file.Files.setPosixFilePermissions(key,
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    DatabaseKind kind();

    String host();

    int port();

    /** Creates a database owned by a new non-privileged user that can log in with the password. */
    default void createDatabase(String database, String user, String password) {
        createUser(user, password, 0);
        createDatabase(database, user);
    }

    /**
     * Creates a non-privileged login. With {@code maxConnections > 0} the server itself refuses the
     * user's connections past that number (PostgreSQL {@code CONNECTION LIMIT}, MariaDB
     * {@code MAX_USER_CONNECTIONS}), so a test can let the database enforce a budget too.
     */
    void createUser(String user, String password, int maxConnections);

    /**
     * Lets {@code user} use {@code owner}'s database as fully as its owner: the second user of an
     * alternating-user password rotation.
     */
    void grantDatabase(String database, String owner, String user);

    /** Runs statements as the administrator in {@code database}, e.g. to set a schema back. */
    default void executeIn(String database, String... statements) {
        try (java.sql.Connection c = adminConnection(database); java.sql.Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("admin statement failed in " + database, e);
        }
    }

    /** Ends every session of {@code user} from the server's side, as an operator or a fail-over would. */
    int terminateConnectionsOf(String user);

    /** Where the server keeps its data; its process is found by it (tests stop and kill servers). */
    java.nio.file.Path dataDirectory();

    /** Creates a database that {@code owner} (made by {@link #createUser}) fully controls. */
    void createDatabase(String database, String owner);

    /**
     * A JDBC connection as the administrator, which the server admits past {@code max_connections}
     * (PostgreSQL's reserved superuser slots, MariaDB's extra connection for SUPER): for watching a
     * server that its clients have saturated. The caller closes it.
     */
    java.sql.Connection adminConnection(String database) throws java.sql.SQLException;

    /** Runs administrative SQL as the superuser, e.g. to count connections from the server's side. */
    long queryLong(String sql);

    /** Like {@link #queryLong(String)}, inside one database. */
    default long queryLong(String database, String sql) {
        try (java.sql.Connection c = adminConnection(database); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("admin query failed: " + sql, e);
        }
    }

    /**
     * Makes a TLS-only server present another certificate to new connections (PostgreSQL reloads its
     * configuration, MariaDB {@code FLUSH SSL}); connections already open keep theirs. MariaDB
     * presents it when this returns, PostgreSQL a moment later (its postmaster reloads on a signal).
     */
    default void presentCertificate(String certificatePem, String privateKeyPem) {
        throw new UnsupportedOperationException("not a TLS-only server");
    }

    /** Connections the server itself counts for a user right now. */
    default long connectionsOf(String user) {
        Identifiers.requireSafe(user);
        return queryLong(switch (kind()) {
            case MYSQL -> "SELECT COUNT(*) FROM information_schema.processlist WHERE user = '" + user + "'";
            case POSTGRESQL -> "SELECT COUNT(*) FROM pg_stat_activity WHERE usename = '" + user + "'";
        });
    }

    @Override
    void close();
}
