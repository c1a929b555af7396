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
