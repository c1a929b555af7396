package io.tenantgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.jwt.config.JWTAuthContextInfoProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every configuration property the application reads, with the environment variable that sets it
 * and its default, from three sources that are the application's own:
 * <ul>
 *   <li>the Quarkus extensions' config models ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}
 *       in each runtime jar: the same data the Quarkus configuration reference is generated from),
 *       which also say whether a property can still change at run time;</li>
 *   <li>tenantgate's own {@code @ConfigMapping} interfaces, found among the compiled classes;</li>
 *   <li>the MicroProfile JWT properties SmallRye JWT injects ({@code mp.jwt.*}), which no Quarkus
 *       config root describes.</li>
 * </ul>
 * It also builds the configuration a pod really runs with: application.properties in the prod
 * profile, overridden by the environment the manifests give the container.
 */
final class PropertyCatalogue {

    static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Path COMPILED_CLASSES = Path.of("target/classes");
    private static final String QUARKUS_CONFIG_MODEL = "META-INF/quarkus-config-doc/quarkus-config-model.json";

    /** One property; {@code env} matches the environment variables that set it (map keys as wildcards). */
    record Property(String name, Pattern env, Optional<String> defaultValue, boolean runtime) {
    }

    private final List<Property> properties;

    private PropertyCatalogue(List<Property> properties) {
        this.properties = properties;
    }

    static PropertyCatalogue load() {
        List<Property> properties = new ArrayList<>();
        try {
            quarkus(properties);
            tenantgate(properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        microProfileJwt(properties);
        return new PropertyCatalogue(List.copyOf(properties));
    }

    /** The properties an environment variable of this name sets. */
    List<Property> setBy(String environmentVariable) {
        return properties.stream().filter(p -> p.env().matcher(environmentVariable).matches()).toList();
    }

    /**
     * The configuration of a pod in the prod profile: application.properties, then the container's
     * environment above it (as SmallRye's environment source ranks), then every default.
     */
    SmallRyeConfig prodConfig(Map<String, String> environment) {
        return config("prod", environment);
    }

    /** The same files in another profile, e.g. the {@code test} profile the @QuarkusTest application runs. */
    SmallRyeConfig config(String profile, Map<String, String> environment) {
        Map<String, String> defaults = new HashMap<>();
        properties.stream().filter(p -> p.defaultValue().isPresent() && !p.name().contains("*")
                && !p.name().contains("\"")).forEach(p -> defaults.put(p.name(), p.defaultValue().get()));
        try {
            return new SmallRyeConfigBuilder()
                    .withProfile(profile)
                    .addDefaultInterceptors()
                    .withDefaultValues(defaults)
                    .withSources(new PropertiesConfigSource(APPLICATION_PROPERTIES.toUri().toURL(), 250))
                    .withSources(new EnvConfigSource(environment, 300))
                    // Quarkus's own reading of "5s"; SmallRye alone knows only ISO-8601 ("PT5S").
                    .withConverter(Duration.class, 200, new DurationConverter())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void quarkus(List<Property> properties) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<URL> models = Collections.list(classLoader().getResources(QUARKUS_CONFIG_MODEL));
        if (models.isEmpty()) {
            throw new AssertionError("no Quarkus config model on the class path (" + QUARKUS_CONFIG_MODEL + ")");
        }
        for (URL model : models) {
            try (InputStream in = model.openStream()) {
                json.readTree(in).findParents("path").forEach(item -> {
                    JsonNode name = item.path("path").path("property");
                    if (name.isTextual()) {
                        String phase = item.path("phase").asText();
                        properties.add(new Property(name.asText(), envPattern(name.asText()),
                                Optional.ofNullable(item.get("defaultValue")).map(JsonNode::asText),
                                phase.equals("RUN_TIME") || phase.equals("BOOTSTRAP")));
                    }
                });
            }
        }
    }

    private static void tenantgate(List<Property> properties) {
        own().forEach(p -> properties.add(new Property(p.name(), envPattern(p.name()), p.defaultValue(), true)));
    }

    /**
     * One property of tenantgate's own {@code @ConfigMapping} interfaces. A map key is {@code *} in
     * its name ({@code tenantgate.budget.servers.*}); {@code type} is what its method returns
     * ({@code Duration}, {@code int}, {@code Optional}, ...), which says how its default reads.
     */
    record OwnProperty(String name, Optional<String> defaultValue, Class<?> type) {
    }

    /** Every property of tenantgate's own {@code @ConfigMapping} interfaces, found among the compiled classes. */
    static List<OwnProperty> own() {
        List<OwnProperty> properties = new ArrayList<>();
        try (Stream<Path> files = Files.walk(COMPILED_CLASSES.resolve("io/tenantgate"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = COMPILED_CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type;
                try {
                    type = Class.forName(name, false, classLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                if (type.isInterface() && type.isAnnotationPresent(ConfigMapping.class)) {
                    ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(type)).forEach((path, p) ->
                            properties.add(new OwnProperty(path,
                                    p.hasDefaultValue() ? Optional.ofNullable(p.getDefaultValue()) : Optional.empty(),
                                    p.getMethod().getReturnType())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static void microProfileJwt(List<Property> properties) {
        for (Field field : JWTAuthContextInfoProvider.class.getDeclaredFields()) {
            ConfigProperty property = field.getAnnotation(ConfigProperty.class);
            if (property != null) {
                properties.add(new Property(property.name(), envPattern(property.name()), Optional.empty(), true));
            }
        }
    }

    /**
     * SmallRye Config's environment-variable form of a property name: upper case, every other
     * character an underscore. A map key ({@code "name"} or {@code *}) may be any such run.
     */
    static Pattern envPattern(String property) {
        StringBuilder regex = new StringBuilder();
        for (String segment : property.split("\\.(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            if (!regex.isEmpty()) {
                regex.append('_');
            }
            if (segment.startsWith("\"") || segment.contains("*")) {
                regex.append("[A-Z0-9_]+");
            } else {
                regex.append(Pattern.quote(segment.toUpperCase().replaceAll("[^A-Z0-9]", "_")));
            }
        }
        return Pattern.compile(regex.toString());
    }

    /** The loader that sees the application's classes and runtime jars, in or out of a @QuarkusTest. */
    private static ClassLoader classLoader() {
        return PropertyCatalogue.class.getClassLoader();
    }
}
