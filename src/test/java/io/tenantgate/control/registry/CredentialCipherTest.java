package io.tenantgate.control.registry;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialCipherTest {

    /** The credentials settings as configuration would give them; the prefixes keep their defaults. */
    record Settings(Optional<String> key, Optional<List<String>> keys, Optional<String> currentKey)
            implements CredentialsConfig {
        @Override
        public String envPrefix() {
            return "TENANT_SECRET_";
        }

        @Override
        public String configPrefix() {
            return "tenantgate.tenant-secrets.";
        }

        @Override
        public Optional<java.nio.file.Path> secretsDir() {
            return Optional.empty();
        }

        @Override
        public java.time.Duration secretsReloadPeriod() {
            return java.time.Duration.ofSeconds(10);
        }
    }

    private static CredentialsConfig config(Optional<String> key) {
        return new Settings(key, Optional.empty(), Optional.empty());
    }

    private static CredentialCipher ring(String legacy, String current, String... keys) {
        return new CredentialCipher(new Settings(Optional.ofNullable(legacy),
                keys.length == 0 ? Optional.empty() : Optional.of(List.of(keys)), Optional.ofNullable(current)));
    }

    private static final String K0 = CredentialCipher.newKey();
    private static final String K1 = CredentialCipher.newKey();
    private static final String K2 = CredentialCipher.newKey();

    private final CredentialCipher cipher = new CredentialCipher(
            config(Optional.of(Base64.getEncoder().encodeToString(new byte[32]))));

    @Test
    void encryptedPasswordRoundTripsAndNeverContainsThePlainText() {
        String sealed = cipher.encrypt("acme", "hunter2-hunter2");
        assertTrue(sealed.startsWith("v1:"));
        assertFalse(sealed.contains("hunter2"));
        assertEquals("hunter2-hunter2", cipher.decrypt("acme", sealed));
        assertNotEquals(sealed, cipher.encrypt("acme", "hunter2-hunter2"), "a fresh IV every time");
    }

    @Test
    void ciphertextCopiedToAnotherTenantDoesNotDecrypt() {
        String sealed = cipher.encrypt("acme", "secret");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cipher.decrypt("globex", sealed));
        assertFalse(e.getMessage().contains(sealed));
    }

    @Test
    void missingKeyFailsNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> new CredentialCipher(config(Optional.empty())));
        assertTrue(e.getMessage().contains("tenantgate.credentials.key"));
    }

    @Test
    void keyOfTheWrongLengthIsRejected() {
        assertThrows(RuntimeException.class, () -> new CredentialCipher(
                config(Optional.of(Base64.getEncoder().encodeToString(new byte[16])))));
    }

    @Test
    void legacyKeyAloneKeepsWritingV1SoOlderReplicasReadIt() {
        CredentialCipher legacy = ring(K0, null);
        assertEquals(CredentialCipher.LEGACY, legacy.currentKey());
        assertTrue(legacy.encrypt("acme", "pw").startsWith("v1:"));
    }

    @Test
    void ciphertextNamesItsKeyAndEveryKeyOfTheRingReadsItsOwn() {
        CredentialCipher before = ring(K0, null);
        String underLegacy = before.encrypt("acme", "old-world");
        CredentialCipher rotated = ring(K0, "k2027", "k2027:" + K1, "k2028:" + K2);
        String underNew = rotated.encrypt("acme", "new-world");
        assertTrue(underNew.startsWith("v2:k2027:"), underNew);
        assertEquals("k2027", CredentialCipher.keyIdOf(underNew));
        assertEquals(CredentialCipher.LEGACY, CredentialCipher.keyIdOf(underLegacy));
        assertEquals("old-world", rotated.decrypt("acme", underLegacy));
        assertEquals("new-world", rotated.decrypt("acme", underNew));
    }

    @Test
    void resealMovesAPasswordUnderTheCurrentKeyAndLeavesOneAlreadyThere() {
        String underLegacy = ring(K0, null).encrypt("acme", "same-password");
        CredentialCipher rotated = ring(K0, "k2027", "k2027:" + K1);
        String resealed = rotated.reseal("acme", underLegacy);
        assertEquals("k2027", CredentialCipher.keyIdOf(resealed));
        assertEquals(null, rotated.reseal("acme", resealed), "already under the current key: nothing to do");
        // After the old key is retired, the resealed password still decrypts.
        assertEquals("same-password", ring(null, null, "k2027:" + K1).decrypt("acme", resealed));
    }

    @Test
    void passwordUnderARetiredKeyFailsNamingTheKeyNotTheSecret() {
        String underLegacy = ring(K0, null).encrypt("acme", "retired");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ring(null, null, "k2027:" + K1).decrypt("acme", underLegacy));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
        assertFalse(e.getMessage().contains(underLegacy.substring(3, 20)));
    }

    @Test
    void sameIdWithOtherKeyMaterialDoesNotDecrypt() {
        String sealed = ring(null, null, "k1:" + K1).encrypt("acme", "pw");
        assertThrows(IllegalStateException.class, () -> ring(null, null, "k1:" + K2).decrypt("acme", sealed));
    }

    @Test
    void severalKeysWithoutACurrentOneFailNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> ring(K0, null, "k2027:" + K1));
        assertTrue(e.getMessage().contains("tenantgate.credentials.current-key"), e.getMessage());
        RuntimeException unknown = assertThrows(RuntimeException.class, () -> ring(K0, "k2099", "k2027:" + K1));
        assertTrue(unknown.getMessage().contains("k2099"), unknown.getMessage());
    }

    @Test
    void malformedKeyringEntriesAreRefusedWithoutEchoingKeyMaterial() {
        for (String entry : List.of(K1, "legacy:" + K1, "bad id:" + K1, "k1:not-base64!", "k1:"
                + Base64.getEncoder().encodeToString(new byte[16]))) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> ring(null, null, entry), entry);
            assertTrue(e.getMessage().contains("tenantgate.credentials.keys"), e.getMessage());
            assertFalse(e.getMessage().contains(K1), "never echoes a key: " + e.getMessage());
        }
        assertThrows(RuntimeException.class, () -> ring(null, null, "k1:" + K1, "k1:" + K2), "an id given twice");
    }
}
