package io.tenantgate.control.registry;

import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ownership rule of password references: a tenant names its own secret, never another's or a path. */
class CredentialResolverTest {

    /** Only SecretFiles' timer runs on it, hourly: one for the class. */
    private static final Vertx VERTX = Vertx.vertx();

    @TempDir
    Path dir;

    @AfterAll
    static void closeVertx() {
        VERTX.close();
    }

    private CredentialResolver resolver() {
        CredentialsConfig credentials = SecretFilesTest.config(dir, "PT1H");
        return new CredentialResolver(null, new SmallRyeConfigBuilder().build(), credentials, Map.<String, String>of()::get,
                new SecretFiles(credentials, VERTX));
    }

    private static Tenant referring(String key, String ref) {
        Tenant tenant = new Tenant();
        tenant.key = key;
        tenant.passwordRef = ref;
        return tenant;
    }

    @Test
    void aFileReferenceNamesOnlyTheTenantsOwnFileDirectlyInTheSecretsDirectory() {
        CredentialResolver resolver = resolver();
        for (String own : List.of("file:acme", "file:acme.next", "file:acme.2026-07_b")) {
            assertTrue(resolver.isOwnReference("acme", own), own);
        }
        for (String other : List.of("file:globex", "file:acme-corp", "file:acm", "file:acme.", "file:acme..next",
                "file:acme/../globex", "file:../acme", "file:/etc/passwd", "file:..data/acme", "file:acme.x/y",
                "file:ACME", "file:.acme", "file: acme", "file:acme\n", "file:")) {
            assertFalse(resolver.isOwnReference("acme", other), other);
        }
        assertFalse(resolver.isOwnReference("acme-corp", "file:acme"), "a key that is a prefix of another is not it");
        assertTrue(resolver.ownReferences("acme").contains("file:acme[.<suffix>]"));
    }

    @Test
    void aFileReferenceResolvesToItsFileAndAnotherTenantsFileNever() throws Exception {
        Files.writeString(dir.resolve("acme"), "acme-password\n");
        Files.writeString(dir.resolve("globex"), "globex-password");
        CredentialResolver resolver = resolver();
        assertEquals("acme-password", resolver.passwordOf(referring("acme", "file:acme")));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> resolver.passwordOf(referring("acme", "file:globex")));
        assertFalse(refused.getMessage().contains("globex-password"));
        assertThrows(IllegalStateException.class, () -> resolver.passwordOf(referring("acme", "file:acme.next")),
                "an own reference with no file behind it resolves to nothing");
    }
}
