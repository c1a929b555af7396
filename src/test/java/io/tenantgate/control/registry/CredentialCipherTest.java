package io.tenantgate.control.registry;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialCipherTest {

    private static CredentialsConfig config(Optional<String> key) {
        return new CredentialsConfig() {
            @Override
            public Optional<String> key() {
                return key;
            }

            @Override
            public String envPrefix() {
                return "TENANT_SECRET_";
            }

            @Override
            public String configPrefix() {
                return "tenantgate.tenant-secrets.";
            }
        };
    }

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
}
