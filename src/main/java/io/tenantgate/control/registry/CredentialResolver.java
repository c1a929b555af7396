package io.tenantgate.control.registry;

import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a tenant's stored credential into the password to connect with.
 *
 * <p>A reference is {@code env:NAME} (an environment variable, which is how a Kubernetes Secret
 * usually reaches the pod) or {@code config:property.name} (any MicroProfile Config source, e.g. a
 * mounted secret file). A reference can name only its own tenant's secret:
 * {@code env:TENANT_SECRET_<KEY>} (the key upper-cased, {@code -} as {@code _}) or
 * {@code config:tenantgate.tenant-secrets.<key>}, optionally followed by {@code .<suffix>} for a
 * second secret during a rotation (prefixes: {@code tenantgate.credentials.env-prefix},
 * {@code .config-prefix}). So whoever writes a registry entry can make tenantgate send neither its
 * own secrets (the credentials key, the registry password) nor another tenant's password to a
 * database host of their choosing.
 *
 * <p>{@code env:} and {@code config:} values are read once, at start-up: changing one needs a
 * restart. {@code file:<key>[.<suffix>]} names the tenant's own file in
 * {@code tenantgate.credentials.secrets-dir} ({@link SecretFiles}), which follows the file when it
 * changes: a rotated password is taken up without a restart.
 */
@ApplicationScoped
public class CredentialResolver {

    private static final String FILE = "file:";

    private final CredentialCipher cipher;
    private final Config config;
    private final CredentialsConfig credentials;
    private final Function<String, String> environment;
    private final SecretFiles files;

    @Inject
    public CredentialResolver(CredentialCipher cipher, Config config, CredentialsConfig credentials,
                              SecretFiles files) {
        this(cipher, config, credentials, System::getenv, files);
    }

    CredentialResolver(CredentialCipher cipher, Config config, CredentialsConfig credentials,
                       Function<String, String> environment, SecretFiles files) {
        this.cipher = cipher;
        this.config = config;
        this.credentials = credentials;
        this.environment = environment;
        this.files = files;
    }

    /** Whether a reference has the form {@code env:NAME}, {@code config:property.name} or {@code file:<key>[.<suffix>]}. */
    public static boolean isWellFormedReference(String ref) {
        return ref != null && (ref.matches("^env:[A-Za-z_][A-Za-z0-9_]{0,254}$")
                || ref.matches("^config:[A-Za-z0-9_.\\-]{1,248}$") || isFileReference(ref));
    }

    /** Whether a reference names a secret file: {@code file:<key>[.<suffix>]}, never a path. */
    public static boolean isFileReference(String ref) {
        return ref != null && ref.startsWith(FILE) && SecretFiles.isName(ref.substring(FILE.length()));
    }

    /**
     * Whether a well-formed reference names this tenant's own secret. Its target may legitimately
     * appear later (a secret mounted after the tenant is registered), so this does not resolve it.
     */
    public boolean isOwnReference(String tenantKey, String ref) {
        if (!isWellFormedReference(ref) || tenantKey == null) {
            return false;
        }
        if (ref.startsWith("env:")) {
            // The key's characters [a-z0-9-] map one to one onto [A-Z0-9_]: no two tenants share a name.
            return ref.substring(4).equals(credentials.envPrefix() + tenantKey.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        boolean file = ref.startsWith(FILE);
        String own = file ? tenantKey : credentials.configPrefix() + tenantKey;
        String name = ref.substring(file ? FILE.length() : 7);
        // Tenant keys contain no dot, so "<key>." can never be the start of another tenant's name.
        return name.equals(own) || (name.startsWith(own + ".") && name.length() > own.length() + 1);
    }

    /** The references a tenant may use, for messages: {@code env:TENANT_SECRET_ACME, config:...acme[.<suffix>] or file:acme[.<suffix>]}. */
    public String ownReferences(String tenantKey) {
        return "env:" + credentials.envPrefix() + tenantKey.toUpperCase(Locale.ROOT).replace('-', '_') + ", config:"
                + credentials.configPrefix() + tenantKey + "[.<suffix>] or " + FILE + tenantKey + "[.<suffix>]";
    }

    /**
     * Reads a {@code file:} reference's file again now, off the event loop: a secret mounted a
     * moment ago, or rotated since the last check, is what it resolves to afterwards. Other
     * references resolve from what was read at start-up; for them this does nothing.
     */
    public Future<Optional<String>> reread(String ref) {
        return isFileReference(ref) ? files.reread(ref.substring(FILE.length())) : Future.succeededFuture(Optional.empty());
    }

    /** Whether the reference resolves to a value now. */
    public boolean resolves(String ref) {
        return lookUp(ref).isPresent();
    }

    public String passwordOf(Tenant tenant) {
        if (tenant.passwordEncrypted != null) {
            return cipher.decrypt(tenant.key, tenant.passwordEncrypted);
        }
        String ref = tenant.passwordRef;
        if (!isOwnReference(tenant.key, ref)) {
            throw new IllegalStateException("password reference of tenant " + tenant.key + " is not allowed");
        }
        Optional<String> value = lookUp(ref);
        // The reference's name is safe to report; its value never is.
        return value.orElseThrow(() -> new IllegalStateException(
                "password reference " + ref + " of tenant " + tenant.key + " resolves to nothing"));
    }

    private Optional<String> lookUp(String ref) {
        if (!isWellFormedReference(ref)) {
            return Optional.empty();
        }
        if (ref.startsWith("env:")) {
            return Optional.ofNullable(environment.apply(ref.substring(4))).filter(v -> !v.isEmpty());
        }
        if (ref.startsWith(FILE)) {
            return files.value(ref.substring(FILE.length()));
        }
        return config.getOptionalValue(ref.substring(7), String.class).filter(v -> !v.isEmpty());
    }
}
