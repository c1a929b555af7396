package io.tenantgate.registry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** How tenant database passwords are protected at rest. */
@ConfigMapping(prefix = "tenantgate.credentials")
public interface CredentialsConfig {

    /**
     * Base64 of a 256-bit AES key that encrypts inline tenant passwords in the registry. Required
     * in production; give it through a Kubernetes Secret (env {@code TENANTGATE_CREDENTIALS_KEY}).
     */
    Optional<String> key();

    /**
     * Dev, test and demo only: with no {@link #key()}, generate a throw-away key at start. Their
     * registries are created fresh on every start, so nothing encrypted outlives the key.
     */
    @WithDefault("false")
    boolean ephemeralKey();
}
