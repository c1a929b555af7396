package io.tenantgate.control.registry;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts tenant passwords for the registry with AES-256-GCM, under a keyring.
 *
 * <p>The keyring is {@code tenantgate.credentials.key} (id {@value #LEGACY}) plus every
 * {@code <id>:<base64>} of {@code tenantgate.credentials.keys}; {@code current-key} names the one new
 * passwords are sealed under. A ciphertext names its key, so a password sealed under any key of the
 * ring decrypts, and rotation is: add a key, make it current, re-encrypt ({@link StoredPasswords}),
 * drop the old one.
 *
 * <p>Formats: {@code v1:} + base64(12-byte IV || ciphertext+tag) under the legacy key (what every
 * earlier build wrote, and still what the legacy key writes, so an older replica reads it during a
 * rolling update); {@code v2:<id>:} + the same under key {@code id}. The tenant key is bound as
 * associated data, so a ciphertext copied onto another tenant's row does not decrypt. Start-up
 * fails, naming the property, when the keyring is empty, a key is malformed, or the current key is
 * ambiguous or unknown. Messages never carry key material or ciphertext.
 */
@Startup
@ApplicationScoped
public class CredentialCipher {

    /** The id of {@code tenantgate.credentials.key}, whose ciphertexts are {@code v1:}. */
    public static final String LEGACY = "legacy";
    private static final String V1 = "v1:";
    private static final String V2 = "v2:";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKey> ring;
    private final String current;
    private final SecureRandom random = new SecureRandom();

    public CredentialCipher(CredentialsConfig config) {
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        config.key().ifPresent(base64 -> keys.put(LEGACY, decodeKey("tenantgate.credentials.key", base64)));
        for (String entry : config.keys().orElse(List.of())) {
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon).trim();
            if (!KEY_ID.matcher(id).matches() || id.equals(LEGACY)) {
                throw new ConfigurationException("tenantgate.credentials.keys: every entry is <id>:<base64 key>, the id"
                        + " 1-32 of [A-Za-z0-9._-] and not '" + LEGACY + "'; got an entry with id '" + printable(id) + "'");
            }
            if (keys.put(id, decodeKey("tenantgate.credentials.keys (key " + id + ")", entry.substring(colon + 1))) != null) {
                throw new ConfigurationException("tenantgate.credentials.keys names key " + id + " twice");
            }
        }
        if (keys.isEmpty()) {
            throw new ConfigurationException("tenantgate.credentials.key is not set: give a base64 256-bit AES key"
                    + " (env TENANTGATE_CREDENTIALS_KEY), or a keyring in tenantgate.credentials.keys"
                    + " (env TENANTGATE_CREDENTIALS_KEYS), to encrypt tenant passwords");
        }
        this.ring = Collections.unmodifiableMap(keys);
        this.current = config.currentKey().map(String::trim).orElseGet(() -> {
            if (keys.size() > 1) {
                throw new ConfigurationException("tenantgate.credentials.current-key is not set and the keyring has "
                        + keys.size() + " keys " + keys.keySet() + ": name the one new passwords are sealed under"
                        + " (env TENANTGATE_CREDENTIALS_CURRENT_KEY)");
            }
            return keys.keySet().iterator().next();
        });
        if (!keys.containsKey(current)) {
            throw new ConfigurationException("tenantgate.credentials.current-key is '" + printable(current)
                    + "', which is not in the keyring " + keys.keySet());
        }
    }

    private static String printable(String id) {
        return id.length() > 32 ? id.substring(0, 32) + "..." : id.replaceAll("[^A-Za-z0-9._-]", "?");
    }

    private static SecretKey decodeKey(String property, String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(property + " is not valid base64");
        }
        if (bytes.length != 32) {
            throw new ConfigurationException(property + " must be 32 bytes (256 bits), got " + bytes.length);
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

    /** The id of the key new passwords are sealed under. */
    public String currentKey() {
        return current;
    }

    /** The ids of every key in the ring, in configuration order, the legacy key first. */
    public Set<String> keyIds() {
        return ring.keySet();
    }

    /**
     * The id of the key a stored ciphertext names ({@value #LEGACY} for {@code v1:}), whether or
     * not the ring has it; {@code null} for text in no known format.
     */
    public static String keyIdOf(String sealed) {
        if (sealed == null) {
            return null;
        }
        if (sealed.startsWith(V1)) {
            return LEGACY;
        }
        if (sealed.startsWith(V2)) {
            int end = sealed.indexOf(':', V2.length());
            String id = end < 0 ? "" : sealed.substring(V2.length(), end);
            return KEY_ID.matcher(id).matches() && !id.equals(LEGACY) ? id : null;
        }
        return null;
    }

    public String encrypt(String tenantKey, String password) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, ring.get(current), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(tenantKey.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(password.getBytes(StandardCharsets.UTF_8));
            String prefix = current.equals(LEGACY) ? V1 : V2 + current + ":";
            return prefix + Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length)
                    .put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("password encryption failed", e);
        }
    }

    public String decrypt(String tenantKey, String encrypted) {
        String id = keyIdOf(encrypted);
        if (id == null) {
            throw new IllegalStateException("unknown password encryption format for tenant " + tenantKey);
        }
        SecretKey key = ring.get(id);
        if (key == null) {
            throw new IllegalStateException("password of tenant " + tenantKey + " is sealed under key " + id
                    + ", which is not in the keyring " + ring.keySet());
        }
        String body = id.equals(LEGACY) ? encrypted.substring(V1.length()) : encrypted.substring(V2.length() + id.length() + 1);
        try {
            byte[] all = Base64.getDecoder().decode(body);
            if (all.length <= IV_BYTES) {
                throw new IllegalArgumentException("too short");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            cipher.updateAAD(tenantKey.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // Never include the ciphertext or key material in the message.
            throw new IllegalStateException("password of tenant " + tenantKey + " does not decrypt with key " + id);
        }
    }

    /**
     * The password sealed again under the current key, or {@code null} if it already is. Throws, like
     * {@link #decrypt}, when it cannot be read.
     */
    public String reseal(String tenantKey, String encrypted) {
        if (current.equals(keyIdOf(encrypted))) {
            return null;
        }
        return encrypt(tenantKey, decrypt(tenantKey, encrypted));
    }
}
