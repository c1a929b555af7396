package io.tenantgate.registry;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a tenant's stored credential into the password to connect with.
 *
 * <p>A reference is {@code env:NAME} (an environment variable, which is how a Kubernetes Secret
 * usually reaches the pod) or {@code config:property.name} (any MicroProfile Config source, e.g. a
 * mounted secret file). References are resolved on every pool creation, so a rotated secret is
 * picked up when the pool is rebuilt.
 */
@ApplicationScoped
public class CredentialResolver {

    private final CredentialCipher cipher;
    private final Config config;
    private final Function<String, String> environment;

    @Inject
    public CredentialResolver(CredentialCipher cipher, Config config) {
        this(cipher, config, System::getenv);
    }

    CredentialResolver(CredentialCipher cipher, Config config, Function<String, String> environment) {
        this.cipher = cipher;
        this.config = config;
        this.environment = environment;
    }

    /** Validates a reference's form; the target may legitimately appear later (secret mounted after). */
    public static boolean isValidReference(String ref) {
        return ref != null && (ref.matches("^env:[A-Za-z_][A-Za-z0-9_]{0,254}$")
                || ref.matches("^config:[A-Za-z0-9_.\\-\\[\\]\"]{1,248}$"));
    }

    public String passwordOf(Tenant tenant) {
        if (tenant.passwordEncrypted != null) {
            return cipher.decrypt(tenant.key, tenant.passwordEncrypted);
        }
        String ref = tenant.passwordRef;
        Optional<String> value;
        if (ref != null && ref.startsWith("env:")) {
            value = Optional.ofNullable(environment.apply(ref.substring(4)));
        } else if (ref != null && ref.startsWith("config:")) {
            value = config.getOptionalValue(ref.substring(7), String.class);
        } else {
            throw new IllegalStateException("tenant " + tenant.key + " has no usable password reference");
        }
        // The reference's name is safe to report; its value never is.
        return value.orElseThrow(() -> new IllegalStateException(
                "password reference " + ref + " of tenant " + tenant.key + " resolves to nothing"));
    }
}
