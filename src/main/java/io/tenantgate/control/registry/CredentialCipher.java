package io.tenantgate.control.registry;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts tenant passwords for the registry with AES-256-GCM.
 *
 * <p>Format: {@code v1:} + base64(12-byte IV || ciphertext+tag). The tenant key is bound as
 * associated data, so a ciphertext copied onto another tenant's row does not decrypt. Start-up
 * fails, naming {@code tenantgate.credentials.key}, when no key is configured.
 */
@Startup
@ApplicationScoped
public class CredentialCipher {

    private static final String PREFIX = "v1:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    public CredentialCipher(CredentialsConfig config) {
        this.key = config.key().map(CredentialCipher::decodeKey).orElseThrow(() -> new ConfigurationException(
                "tenantgate.credentials.key is not set: give a base64 256-bit AES key"
                        + " (env TENANTGATE_CREDENTIALS_KEY) to encrypt tenant passwords"));
    }

    private static SecretKey decodeKey(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("tenantgate.credentials.key is not valid base64");
        }
        if (bytes.length != 32) {
            throw new ConfigurationException("tenantgate.credentials.key must be 32 bytes (256 bits), got " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    /** A new random key in the form {@code tenantgate.credentials.key} takes. */
    public static String newKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256);
            return Base64.getEncoder().encodeToString(generator.generateKey().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES unavailable", e);
        }
    }

    public String encrypt(String tenantKey, String password) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(tenantKey.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(password.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length)
                    .put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("password encryption failed", e);
        }
    }

    public String decrypt(String tenantKey, String encrypted) {
        if (encrypted == null || !encrypted.startsWith(PREFIX)) {
            throw new IllegalStateException("unknown password encryption format for tenant " + tenantKey);
        }
        byte[] all = Base64.getDecoder().decode(encrypted.substring(PREFIX.length()));
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            cipher.updateAAD(tenantKey.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // Never include the ciphertext or key material in the message.
            throw new IllegalStateException("password of tenant " + tenantKey + " does not decrypt with the configured key");
        }
    }
}
