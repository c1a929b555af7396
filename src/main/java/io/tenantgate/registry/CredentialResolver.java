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
 * mounted secret file). Only names under the configured prefixes
 * ({@code TENANT_SECRET_*}, {@code tenantgate.tenant-secrets.*} by default) can be referenced, so
 * whoever writes a registry entry cannot make tenantgate send its own secrets (the credentials key,
 * the registry password) to a database host of their choosing.
 */
@ApplicationScoped
public class CredentialResolver {

    private final CredentialCipher cipher;
    private final Config config;
    private final CredentialsConfig credentials;
    private final Function<String, String> environment;

    @Inject
    public CredentialResolver(CredentialCipher cipher, Config config, CredentialsConfig credentials) {
        this(cipher, config, credentials, System::getenv);
    }

    CredentialResolver(CredentialCipher cipher, Config config, CredentialsConfig credentials,
                       Function<String, String> environment) {
        this.cipher = cipher;
        this.config = config;
        this.credentials = credentials;
        this.environment = environment;
    }

    /**
     * Whether a reference has a valid form and names an allowed secret. Its target may legitimately
     * appear later (a secret mounted after the tenant is registered).
     */
    public boolean isAllowedReference(String ref) {
        if (ref == null) {
            return false;
        }
        if (ref.matches("^env:[A-Za-z_][A-Za-z0-9_]{0,254}$")) {
            return ref.substring(4).startsWith(credentials.envPrefix());
        }
        if (ref.matches("^config:[A-Za-z0-9_.\\-]{1,248}$")) {
            return ref.substring(7).startsWith(credentials.configPrefix());
        }
        return false;
    }

    public String passwordOf(Tenant tenant) {
        if (tenant.passwordEncrypted != null) {
            return cipher.decrypt(tenant.key, tenant.passwordEncrypted);
        }
        String ref = tenant.passwordRef;
        if (!isAllowedReference(ref)) {
            throw new IllegalStateException("password reference of tenant " + tenant.key + " is not allowed");
        }
        Optional<String> value;
        if (ref.startsWith("env:")) {
            value = Optional.ofNullable(environment.apply(ref.substring(4)));
        } else {
            value = config.getOptionalValue(ref.substring(7), String.class);
        }
        // The reference's name is safe to report; its value never is.
        return value.orElseThrow(() -> new IllegalStateException(
                "password reference " + ref + " of tenant " + tenant.key + " resolves to nothing"));
    }
}
