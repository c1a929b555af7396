package io.tenantgate.control.registry;

import io.smallrye.config.SmallRyeConfigBuilder;
import io.tenantgate.testing.Await;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secret files as Kubernetes mounts a Secret: every key a link through {@code ..data}, which the
 * kubelet swaps atomically to a new timestamped directory on an update. Real files, a real Vert.x.
 */
class SecretFilesTest {

    @TempDir
    Path dir;
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static CredentialsConfig config(Path dir, String reloadPeriod) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().withMapping(CredentialsConfig.class)
                .withDefaultValue("tenantgate.credentials.secrets-reload-period", reloadPeriod);
        if (dir != null) {
            builder.withDefaultValue("tenantgate.credentials.secrets-dir", dir.toString());
        }
        return builder.build().getConfigMapping(CredentialsConfig.class);
    }

    /**
     * Writes {@code files} (name, content pairs) as the kubelet updates a Secret: the whole Secret
     * (the files already there, these added or changed) into a new directory, then ..data swapped to it.
     */
    static synchronized void mount(Path dir, String generation, String... files) throws Exception {
        Path data = Files.createDirectory(dir.resolve("..2026_" + generation));
        if (Files.isDirectory(dir.resolve("..data"))) {
            try (var current = Files.list(dir.resolve("..data"))) {
                for (Path file : current.toList()) {
                    Files.copy(file, data.resolve(file.getFileName()));
                }
            }
        }
        for (int i = 0; i < files.length; i += 2) {
            Files.writeString(data.resolve(files[i]), files[i + 1]); // replaces the copy, if any
            Path link = dir.resolve(files[i]);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", files[i]));
            }
        }
        Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), data.getFileName());
        Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aRotatedKubernetesSecretIsReadAgainWithinTheReloadPeriod() throws Exception {
        mount(dir, "1", "acme", "first-password\n", "globex", "globex-password");
        SecretFiles files = new SecretFiles(config(dir, "PT0.1S"), vertx);
        assertEquals(Optional.of("first-password"), files.value("acme"), "read at start-up, less the line break");
        assertEquals(Optional.of("globex-password"), files.value("globex"));

        mount(dir, "2", "acme", "second-password", "globex", "globex-password");
        assertTrue(Await.until(() -> files.value("acme").equals(Optional.of("second-password")), 5),
                "the new ..data is followed without a restart");
        assertEquals(Optional.of("globex-password"), files.value("globex"));
    }

    @Test
    void aRereadSeesAFileWrittenAMomentAgoWithoutWaitingForThePeriod() throws Exception {
        SecretFiles files = new SecretFiles(config(dir, "PT1H"), vertx);
        assertEquals(Optional.empty(), files.value("acme"));
        Path written = Files.writeString(dir.resolve("acme.tmp-write"), "fresh");
        Files.move(written, dir.resolve("acme"), StandardCopyOption.ATOMIC_MOVE);
        assertEquals(Optional.of("fresh"), files.reread("acme").toCompletionStage().toCompletableFuture().join());
        assertEquals(Optional.of("fresh"), files.value("acme"));
    }

    @Test
    void namesThatCouldLeaveTheDirectoryAreNeverRead() throws Exception {
        mount(dir, "1", "acme", "pw");
        Files.writeString(dir.getParent().resolve("outside"), "not a tenant secret");
        SecretFiles files = new SecretFiles(config(dir, "PT1H"), vertx);
        for (String name : new String[] {"../outside", "..data/acme", "..data", "acme/../acme", "/etc/passwd",
                "acme.x/y", ".acme", "ACME", "", "acme."}) {
            assertEquals(Optional.empty(), files.reread(name).toCompletionStage().toCompletableFuture().join(), name);
            assertEquals(Optional.empty(), files.value(name), name);
        }
    }

    @Test
    void anEmptyOrRemovedFileHoldsNothing() throws Exception {
        mount(dir, "1", "acme", "", "globex", "pw");
        SecretFiles files = new SecretFiles(config(dir, "PT1H"), vertx);
        assertEquals(Optional.empty(), files.value("acme"));
        Files.delete(dir.resolve("globex"));
        assertEquals(Optional.empty(), files.reread("globex").toCompletionStage().toCompletableFuture().join());
        assertEquals(Optional.empty(), files.value("globex"));
    }

    @Test
    void aSecretsDirectoryThatCannotBeListedFailsTheStartUpNamingTheProperty() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SecretFiles(config(dir.resolve("missing"), "PT1H"), vertx));
        assertTrue(e.getMessage().contains("tenantgate.credentials.secrets-dir"), e.getMessage());
    }
}
