package io.tenantgate.testing;

import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Debian's PgBouncer in front of a real PostgreSQL, configured as {@code docs/configuration.md}
 * ("PgBouncer in front of PostgreSQL") tells a user to: the same {@code [pgbouncer]} settings, in
 * session or transaction mode. Users log in with the passwords in its {@code auth_file}; the admin
 * console ({@code SHOW CLIENTS}, through Debian's {@code psql}) tells which clients it holds.
 *
 * <p>Debian's package is used where it is installed, else downloaded and unpacked under
 * {@code target/} ({@link #binary}). PgBouncer refuses to run as root; as root it runs in a user namespace ({@code unshare -U}), as
 * zonky runs PostgreSQL. Its files live under the given directory, deleted on {@link #close()}.
 */
public final class PgBouncerProcess implements AutoCloseable {

    private static final Path INSTALLED = Path.of("/usr/sbin/pgbouncer");
    /** Where Debian's packages are unpacked when PgBouncer is not installed: no root needed. */
    private static final Path UNPACKED = Path.of("target/debian-packages").toAbsolutePath();
    private static final String WATCHER = "tg_watch";

    private final Path dir;
    private final int port;
    private final Process process;
    private final String watcherPassword = UUID.randomUUID().toString();

    /**
     * Starts PgBouncer on {@code port} in {@code poolMode} ({@code session} or {@code transaction})
     * in front of {@code server}, admitting {@code users} (name to password).
     */
    public PgBouncerProcess(Path dir, int port, String poolMode, EmbeddedServer server, Map<String, String> users) {
        this.dir = dir.toAbsolutePath();
        this.port = port;
        try {
            Files.createDirectories(this.dir);
            StringBuilder authFile = new StringBuilder("\"" + WATCHER + "\" \"" + watcherPassword + "\"\n");
            users.forEach((user, password) -> authFile.append('"').append(user).append("\" \"").append(password)
                    .append("\"\n"));
            Files.writeString(this.dir.resolve("userlist.txt"), authFile);
            // The recipe's file (docs/configuration.md, "PgBouncer in front of PostgreSQL") with this
            // test's addresses, files and admin user; then no Unix socket and a log file of its own.
            Files.writeString(this.dir.resolve("pgbouncer.ini"), """
                    [databases]
                    * = host=%s port=%d

                    [pgbouncer]
                    listen_addr = 127.0.0.1
                    listen_port = %d
                    pool_mode = %s
                    ignore_startup_parameters = extra_float_digits
                    auth_type = scram-sha-256
                    auth_file = %s
                    admin_users = %s
                    max_client_conn = 1000
                    default_pool_size = 20

                    unix_socket_dir =
                    logfile = %s
                    """.formatted(server.host(), server.port(), port, poolMode, this.dir.resolve("userlist.txt"),
                    WATCHER, this.dir.resolve("pgbouncer.log")));
            // Readable in the user namespace, where root's files belong to nobody.
            for (Path file : List.of(this.dir, this.dir.resolve("userlist.txt"), this.dir.resolve("pgbouncer.ini"))) {
                file.toFile().setReadable(true, false);
                file.toFile().setWritable(true, false);
                file.toFile().setExecutable(true, false);
            }
            List<String> command = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("unshare", "-U"));
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(this.dir.resolve("pgbouncer.out").toFile());
            command.addAll(List.of(binary(builder.environment()).toString(), this.dir.resolve("pgbouncer.ini").toString()));
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("PgBouncer failed to start in " + dir, e);
        }
        awaitListening();
    }

    /**
     * Debian's installed PgBouncer or, where it is not installed (a fresh machine running the README's
     * test command), the same package and its one library not in a base system, downloaded with
     * {@code apt-get download} and unpacked under {@code target/} without installing anything.
     */
    private static synchronized Path binary(Map<String, String> environment) throws IOException {
        if (Files.isExecutable(INSTALLED) && !Boolean.getBoolean("tenantgate.test.unpack-pgbouncer")) {
            return INSTALLED;
        }
        Path binary = UNPACKED.resolve("usr/sbin/pgbouncer");
        if (!Files.isExecutable(binary)) {
            Path debs = Files.createDirectories(UNPACKED.resolve("debs"));
            run(debs, "apt-get", "download", "pgbouncer", "libc-ares2");
            try (var files = Files.list(debs)) {
                for (Path deb : files.filter(f -> f.toString().endsWith(".deb")).toList()) {
                    run(debs, "dpkg-deb", "-x", deb.toString(), UNPACKED.toString());
                }
            }
        }
        environment.put("LD_LIBRARY_PATH", UNPACKED.resolve("usr/lib/x86_64-linux-gnu").toString());
        return binary;
    }

    private static void run(Path dir, String... command) throws IOException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (install Debian's pgbouncer to skip"
                        + " it): " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("PgBouncer exited: " + output());
            }
            try {
                console("SHOW VERSION");
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("PgBouncer did not listen on " + port + ": " + output());
    }

    private String output() {
        try {
            return Files.readString(dir.resolve("pgbouncer.out"));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    public int port() {
        return port;
    }

    /**
     * One command on the admin console through psql, rows as {@code |}-separated lines. Not JDBC:
     * pgjdbc sets {@code extra_float_digits}, which the console refuses.
     */
    private List<String> console(String command) throws IOException {
        ProcessBuilder psql = new ProcessBuilder("psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-U", WATCHER, "-c", command, "pgbouncer").redirectErrorStream(true);
        psql.environment().put("PGPASSWORD", watcherPassword);
        psql.environment().put("PGCONNECT_TIMEOUT", "5");
        Process process = psql.start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("psql " + command + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return output.lines().filter(line -> !line.isBlank()).toList();
    }

    /** Client connections PgBouncer holds for {@code user} right now (its {@code SHOW CLIENTS}). */
    public long clientsOf(String user) {
        try {
            // Columns: type|user|database|state|...
            return console("SHOW CLIENTS").stream().filter(row -> row.split("\\|", -1)[1].equals(user)).count();
        } catch (IOException e) {
            throw new UncheckedIOException("PgBouncer's console did not answer", e);
        }
    }

    /**
     * The console's {@code RECONNECT}: every server connection is closed once released, so settings
     * changed on the server ({@code ALTER ROLE}) reach every session from now on.
     */
    public void reconnect() {
        try {
            console("RECONNECT");
        } catch (IOException e) {
            throw new UncheckedIOException("PgBouncer's console refused RECONNECT", e);
        }
    }

    /** PgBouncer's own log, for a failure message. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("pgbouncer.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n" + output();
        } catch (IOException e) {
            return output();
        }
    }

    /** Stops PgBouncer and deletes its files; fails if it had exited by itself (a crash), with its log. */
    @Override
    public void close() {
        String died = process.isAlive() ? null : logTail();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        DemoServers.deleteTree(dir);
        if (died != null) {
            throw new IllegalStateException("PgBouncer exited by itself during the test:\n" + died);
        }
    }
}
