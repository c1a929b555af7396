package io.tenantgate.demo;

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
 * <p>The embedded servers are reached only through {@link DemoStarter}, reflectively, so the
 * production package (JVM or native) never links against the embedded-server libraries it omits.
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
        Map<String, String> config = DemoStarter.start(parent);
        config.forEach(System::setProperty);
        return config;
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(275);
    }
}
