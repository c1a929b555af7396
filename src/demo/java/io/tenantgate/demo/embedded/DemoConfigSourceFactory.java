package io.tenantgate.demo.embedded;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Makes {@code quarkus:dev} and the {@code demo} profile work with no database configured: when
 * {@code tenantgate.registry.url} is unset, it starts the embedded servers and supplies their
 * configuration. Never active in any other profile, so production can never start one.
 *
 * <p>It lives in {@code src/demo}, with the embedded servers: a source folder that dev mode, the
 * {@code demo} package and the tests build, and that the native build leaves out entirely, so no
 * production class can reach the embedded-server libraries (which the production package omits).
 *
 * <p>The configuration is also published as system properties. Dev mode rebuilds configuration on
 * every live reload; seeing {@code tenantgate.registry.url} set, later calls reuse the running
 * servers instead of starting new ones (the way Quarkus Dev Services behave).
 */
public class DemoConfigSourceFactory implements ConfigSourceFactory {

    private static final List<String> PROFILES = List.of("dev", "demo");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (context.getProfiles().stream().noneMatch(PROFILES::contains)) {
            return List.of();
        }
        ConfigValue registryUrl = context.getValue("tenantgate.registry.url");
        if (registryUrl != null && registryUrl.getValue() != null) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(startServers(context), "tenantgate-demo-servers", 275));
    }

    private static synchronized Map<String, String> startServers(ConfigSourceContext context) {
        if (System.getProperty("tenantgate.registry.url") != null) {
            return Map.of();
        }
        ConfigValue workDir = context.getValue("tenantgate.demo.work-dir");
        Path parent = Path.of(workDir != null && workDir.getValue() != null ? workDir.getValue() : "target/tenantgate-demo");
        Map<String, String> config = start(parent);
        config.forEach(System::setProperty);
        return config;
    }

    /**
     * The JVM production package is built from the same classes but without the embedded-server
     * libraries; run with {@code -Dquarkus.profile=demo}, it says how to get a package that has them.
     */
    private static Map<String, String> start(Path parent) {
        try {
            return DemoServers.startForRun(parent);
        } catch (NoClassDefFoundError missing) {
            throw new IllegalStateException("the demo profile needs the embedded database servers in the package:"
                    + " build it with ./mvnw package -Pdemo -DskipTests, or set tenantgate.registry.url", missing);
        }
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(275);
    }
}
