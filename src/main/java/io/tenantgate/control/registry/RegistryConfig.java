package io.tenantgate.control.registry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Where the tenant registry lives and how its answers are cached. {@code url}, {@code username} and
 * {@code password} are required in production: start-up fails naming the missing one before
 * anything connects. Dev and demo runs fill them from embedded servers.
 */
@ConfigMapping(prefix = "tenantgate.registry")
public interface RegistryConfig {

    /** {@code postgresql://host:port/database} (env {@code TENANTGATE_REGISTRY_URL}). */
    String url();

    /** Registry user (env {@code TENANTGATE_REGISTRY_USERNAME}). */
    String username();

    /** Registry password (env {@code TENANTGATE_REGISTRY_PASSWORD}); give it through a Secret. */
    String password();

    /** How long a tenant's route is served from memory before the registry is asked again. */
    @WithDefault("5s")
    Duration routeTtl();

    /** Longest wait for the registry; past it the request gets 503 {@code registry-unavailable}. */
    @WithDefault("2s")
    Duration lookupTimeout();

    /**
     * While the registry cannot be reached, routes up to this old keep being served, so a registry
     * outage does not become an outage of every tenant.
     */
    @WithDefault("5m")
    Duration maxStale();

    /** Routes kept in memory at most; past it the cache starts over. */
    @WithDefault("10000")
    int routeCacheSize();

    /**
     * How often each replica reads the registry's change log; a change made anywhere (another
     * replica's admin API, or SQL) reaches this replica within this plus one lookup.
     */
    @WithDefault("2s")
    Duration changePoll();
}
