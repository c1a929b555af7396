package io.tenantgate.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tenantgate.demo.DemoServers;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the real servers every test runs against (registry PostgreSQL, tenant PostgreSQL, tenant
 * MariaDB) once per test run, in a directory of its own under {@code target/}, and points the
 * application at them. Works for {@code @QuarkusTest} and for {@code @QuarkusIntegrationTest},
 * where the packaged application runs in the prod profile with this configuration.
 */
public class RealDatabases implements QuarkusTestResourceLifecycleManager {

    private static volatile DemoServers servers;

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
        return config;
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
