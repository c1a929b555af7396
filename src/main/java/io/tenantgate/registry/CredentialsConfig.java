package io.tenantgate.registry;

import io.smallrye.config.ConfigMapping;

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

}
