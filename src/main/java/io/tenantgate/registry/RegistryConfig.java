package io.tenantgate.registry;

import io.smallrye.config.ConfigMapping;

/**
 * Where the tenant registry lives. All three are required in production: start-up fails naming
 * the missing one before anything connects. Dev and demo runs fill them from embedded servers.
 */
@ConfigMapping(prefix = "tenantgate.registry")
public interface RegistryConfig {

    /** {@code postgresql://host:port/database} (env {@code TENANTGATE_REGISTRY_URL}). */
    String url();

    /** Registry user (env {@code TENANTGATE_REGISTRY_USERNAME}). */
    String username();

    /** Registry password (env {@code TENANTGATE_REGISTRY_PASSWORD}); give it through a Secret. */
    String password();
}
