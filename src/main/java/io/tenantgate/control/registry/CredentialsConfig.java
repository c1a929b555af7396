package io.tenantgate.control.registry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** How tenant database passwords are protected at rest. */
@ConfigMapping(prefix = "tenantgate.credentials")
public interface CredentialsConfig {

    /**
     * Base64 of a 256-bit AES key that encrypts inline tenant passwords in the registry. Required
     * everywhere; give it through a Kubernetes Secret (env {@code TENANTGATE_CREDENTIALS_KEY}). Dev and
     * demo runs with embedded servers get a fresh one per run, which lives as long as their registry.
     */
    Optional<String> key();

    /**
     * Environment variables a tenant's {@code env:} password reference may name start with this,
     * so a registry entry can never point at the service's own secrets.
     */
    @WithDefault("TENANT_SECRET_")
    String envPrefix();

    /** Properties a tenant's {@code config:} password reference may name start with this. */
    @WithDefault("tenantgate.tenant-secrets.")
    String configPrefix();
}
