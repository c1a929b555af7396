package io.tenantgate.control.migration;

import io.tenantgate.governor.route.DatabaseKind;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Lists tenant migrations from {@code db/tenant/migrations.txt} instead of scanning the class path.
 *
 * <p>Why: Flyway's class-path scanner cannot list directories inside Quarkus's packaged class
 * loader or a native image (the Quarkus Flyway extension solves that only for datasources known at
 * build time). The index names every migration once; both kinds must provide each file, which a
 * test checks.
 */
public final class TenantMigrations implements ResourceProvider {

    static final String INDEX = "db/tenant/migrations.txt";

    private final String location;

    public TenantMigrations(DatabaseKind kind) {
        this.location = location(kind);
    }

    public static String location(DatabaseKind kind) {
        return "db/tenant/" + kind.name().toLowerCase(Locale.ROOT);
    }

    /** The migration file names, in the order the index lists them. */
    public static List<String> names() {
        try (InputStream in = resource(INDEX)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema version this build's tenant queries need: the highest {@code V<n>__} in the index. */
    public static int expectedVersion() {
        return names().stream().map(name -> java.util.regex.Pattern.compile("^V(\\d+)__").matcher(name))
                .filter(java.util.regex.Matcher::find).mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(0);
    }

    @Override
    public LoadableResource getResource(String name) {
        String file = name.contains("/") ? name.substring(name.lastIndexOf('/') + 1) : name;
        return names().contains(file) ? new Migration(location, file) : null;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        return names().stream()
                .filter(name -> name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(name::endsWith))
                .<LoadableResource>map(name -> new Migration(location, name))
                .toList();
    }

    private static InputStream resource(String path) throws IOException {
        InputStream in = TenantMigrations.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IOException("missing class-path resource " + path);
        }
        return in;
    }

    private static final class Migration extends LoadableResource {

        private final String path;
        private final String filename;

        Migration(String location, String filename) {
            this.path = location + "/" + filename;
            this.filename = filename;
        }

        @Override
        public Reader read() {
            try {
                return new InputStreamReader(resource(path), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String getAbsolutePath() {
            return path;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return path;
        }

        @Override
        public String getFilename() {
            return filename;
        }

        @Override
        public String getRelativePath() {
            return filename;
        }
    }
}
