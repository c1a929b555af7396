package io.tenantgate.testing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tenantgate.demo.embedded.DemoServers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Starts the real servers every test runs against (registry PostgreSQL, tenant PostgreSQL, tenant
 * MariaDB) once per test run, in a directory of its own under {@code target/}, and points the
 * application at them. Works for {@code @QuarkusTest} and for {@code @QuarkusIntegrationTest},
 * where the packaged application runs in the prod profile with this configuration.
 *
 * <p>Declared once, here: a {@code @QuarkusTestResource} that is not restricted to the class it is
 * on applies to every Quarkus test of the module, so no test class declares it again.
 */
@QuarkusTestResource(RealDatabases.class)
public class RealDatabases implements QuarkusTestResourceLifecycleManager {

    private static volatile DemoServers servers;

    private static volatile int managementPort;

    @Override
    public Map<String, String> start() {
        servers = DemoServers.start(DemoServers.runDirectory(Path.of("target/test-servers")), 100);
        System.out.printf("embedded servers (registry PostgreSQL, tenant PostgreSQL, tenant MariaDB) started in %d ms%n",
                servers.startMillis());
        Map<String, String> config = new HashMap<>(servers.config());
        // Every password and key the application is given: none may ever reach a log line.
        config.forEach((name, value) -> {
            if (name.contains("password") || name.contains("secret") || name.endsWith(".key")
                    || name.endsWith("signing-key")) {
                // A PEM key is recorded by its first line of key material.
                SecretsLedger.record(value.lines().filter(l -> !l.isBlank() && !l.startsWith("-----"))
                        .findFirst().orElse(value));
            }
        });
        config.put("tenantgate.demo.enabled", "true");
        // Where tenants' file: references point, as a mounted Kubernetes Secret would be.
        config.put("tenantgate.credentials.secrets-dir", secretsDir().toString());
        managementPort = freePort();
        if (!Boolean.getBoolean("tenantgate.test.packaged")) {
            return config; // @QuarkusTest: the configuration stays in this JVM
        }
        // The packaged application (@QuarkusIntegrationTest) gets its settings as -D options, and the
        // launcher prints its command line into the build log: the secrets go in a file instead.
        Map<String, String> launch = new HashMap<>();
        launch.put("quarkus.config.locations", privateConfigFile("packaged-app", config).toUri().toString());
        launch.put("quarkus.management.port", Integer.toString(managementPort));
        return launch;
    }

    /** The application's {@code tenantgate.credentials.secrets-dir}: tests write tenants' secret files here. */
    public static Path secretsDir() {
        try {
            return Files.createDirectories(Path.of("target/tenant-secrets").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The management port of the packaged application under test (probes, metrics). */
    public static int managementPort() {
        return managementPort;
    }

    /**
     * Writes settings to a properties file under {@code target/} that only this user can read, for a
     * process started with {@code -Dquarkus.config.locations=<its URI>}.
     */
    public static Path privateConfigFile(String name, Map<String, String> settings) {
        try {
            Path dir = Files.createDirectories(Path.of("target/test-config").toAbsolutePath());
            Path file = dir.resolve(name + ".properties");
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Properties properties = new Properties();
            properties.putAll(settings);
            try (var out = Files.newOutputStream(file)) {
                properties.store(out, "written by the tests; holds test secrets");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (servers != null) {
            servers.close();
            servers = null;
        }
    }

    public static DemoServers servers() {
        if (servers == null) {
            throw new IllegalStateException("RealDatabases is not started");
        }
        return servers;
    }
}
