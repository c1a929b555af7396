package io.tenantgate.demo;

import org.jboss.logging.Logger;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts {@link DemoServers} for a dev or demo run without a static reference to them: a native
 * image links every statically reachable class at build time, and the production package does not
 * carry the embedded-server libraries those classes need.
 */
final class DemoStarter {

    private static final Logger LOG = Logger.getLogger(DemoStarter.class);

    private DemoStarter() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> start(Path parent) {
        try {
            Class<?> servers = Class.forName("io.tenantgate.demo.DemoServers", true, DemoStarter.class.getClassLoader());
            return (Map<String, String>) servers.getMethod("startForRun", Path.class).invoke(null, parent);
        } catch (ClassNotFoundException | NoClassDefFoundError | NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("the demo profile needs the embedded database servers in the package:"
                    + " build it with ./mvnw package -Pdemo, or set tenantgate.registry.url", e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof NoClassDefFoundError missing) {
                throw new IllegalStateException("the demo profile needs the embedded database servers in the package:"
                        + " build it with ./mvnw package -Pdemo, or set tenantgate.registry.url", missing);
            }
            LOG.error("embedded database servers failed to start", e.getCause());
            throw new IllegalStateException("embedded database servers failed to start: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }
}
