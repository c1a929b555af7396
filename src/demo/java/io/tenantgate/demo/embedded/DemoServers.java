package io.tenantgate.demo.embedded;

import io.tenantgate.control.registry.CredentialCipher;
import io.tenantgate.control.security.DevKeys;
import io.tenantgate.demo.DemoTenants;
import io.tenantgate.demo.SpareTenantResource;

import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The three real servers behind the demo and the tests: a PostgreSQL for the registry, and a
 * PostgreSQL and a MariaDB for tenant databases. The registry has its own server so a test can
 * stop a tenant server without touching the registry.
 *
 * <p>{@link #config()} is the configuration that points tenantgate at them: registry URL and
 * credentials, the demo tenants' servers and passwords, and a fresh JWT key pair.
 */
public final class DemoServers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DemoServers.class);

    public static final String ACME = DemoTenants.ACME;
    public static final String GLOBEX = DemoTenants.GLOBEX;
    /** A database on the tenant PostgreSQL that no tenant uses until someone adds one for it. */
    public static final String SPARE = SpareTenantResource.SPARE;
    /** Where globex's password lives; the registry stores only {@code config:} + this name. */
    public static final String GLOBEX_SECRET = DemoTenants.GLOBEX_SECRET;

    private final EmbeddedPostgresServer registry;
    private final EmbeddedPostgresServer postgres;
    private final EmbeddedMariaDbServer mariadb;
    private final Map<String, String> config = new LinkedHashMap<>();
    private final long startMillis;
    private final Path dir;

    private DemoServers(Path dir, int tenantServerMaxConnections) {
        this.dir = dir;
        long start = System.nanoTime();
        this.registry = new EmbeddedPostgresServer(dir.resolve("registry"), 50);
        this.postgres = new EmbeddedPostgresServer(dir.resolve("postgresql"), tenantServerMaxConnections);
        this.mariadb = new EmbeddedMariaDbServer(dir.resolve("mariadb"), tenantServerMaxConnections);
        this.startMillis = (System.nanoTime() - start) / 1_000_000;

        String registryPassword = secret();
        registry.createDatabase("tenantgate", "tenantgate", registryPassword);
        config.put("tenantgate.registry.url", "postgresql://" + registry.host() + ":" + registry.port() + "/tenantgate");
        config.put("tenantgate.registry.username", "tenantgate");
        config.put("tenantgate.registry.password", registryPassword);

        String acmePassword = secret();
        String globexPassword = secret();
        mariadb.createDatabase(ACME, ACME, acmePassword);
        postgres.createDatabase(GLOBEX, GLOBEX, globexPassword);
        config.put("tenantgate.demo.mysql.host", mariadb.host());
        config.put("tenantgate.demo.mysql.port", Integer.toString(mariadb.port()));
        config.put("tenantgate.demo.postgresql.host", postgres.host());
        config.put("tenantgate.demo.postgresql.port", Integer.toString(postgres.port()));
        config.put("tenantgate.demo.acme-password", acmePassword);
        // globex shows the other way to give a password: a reference resolved at connect time.
        config.put(GLOBEX_SECRET, globexPassword);

        // A database nobody uses yet, for the README's walkthrough of adding a tenant at run time.
        String sparePassword = secret();
        postgres.createDatabase(SPARE, SPARE, sparePassword);
        config.put("tenantgate.demo.spare.password", sparePassword);

        config.put("tenantgate.credentials.key", CredentialCipher.newKey());
        DevKeys keys = DevKeys.generate();
        config.put("mp.jwt.verify.publickey", keys.publicKeyPem());
        config.put("tenantgate.dev-token.signing-key", keys.privateKeyPem());
    }

    /** Starts all three servers under {@code dir}; each run should get a directory of its own. */
    public static DemoServers start(Path dir, int tenantServerMaxConnections) {
        return new DemoServers(dir, tenantServerMaxConnections);
    }

    /**
     * Starts the servers for one dev or demo run under {@code parent}, stops them when the JVM
     * exits, and returns their configuration. Called by {@link DemoConfigSourceFactory}.
     */
    public static Map<String, String> startForRun(Path parent) {
        DemoServers servers = start(runDirectory(parent), 100);
        LOG.infof("started embedded registry PostgreSQL, tenant PostgreSQL and tenant MariaDB in %d ms",
                servers.startMillis());
        Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "tenantgate-demo-servers-stop"));
        return servers.config();
    }

    public static Path runDirectory(Path parent) {
        return parent.resolve("run-" + System.currentTimeMillis() + "-" + ProcessHandle.current().pid());
    }

    private static String secret() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    public Map<String, String> config() {
        return Map.copyOf(config);
    }

    public EmbeddedPostgresServer registry() {
        return registry;
    }

    public EmbeddedServer postgres() {
        return postgres;
    }

    public EmbeddedServer mariadb() {
        return mariadb;
    }

    public long startMillis() {
        return startMillis;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable server : new AutoCloseable[] {mariadb, postgres, registry}) {
            try {
                server.close();
            } catch (Exception e) {
                failure = failure == null ? new IllegalStateException("stopping embedded servers failed", e) : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        deleteTree(dir); // ~500 MB of binaries and data per run: a run leaves nothing behind
    }

    /** Deletes a directory and everything under it; what cannot be deleted is reported, not thrown. */
    public static void deleteTree(Path dir) {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(file);
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            LOG.warnf("could not delete %s entirely: %s", dir, e.toString());
        }
    }
}
