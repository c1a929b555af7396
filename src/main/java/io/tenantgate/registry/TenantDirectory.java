package io.tenantgate.registry;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tenantgate.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Reads tenants from the registry and resolves them into {@link TenantRoute}s, credentials included.
 *
 * <p>Routes are cached for {@code tenantgate.registry.route-ttl} (unknown tenants too, so a flood of
 * tokens for a missing tenant does not reach the registry), which bounds how long a change made on
 * another replica takes to be seen here. Every registry read is bounded by
 * {@code lookup-timeout}; while the registry is unreachable, routes up to {@code max-stale} old keep
 * serving. Passwords are decrypted once per load, not per request.
 */
@ApplicationScoped
public class TenantDirectory {

    private static final Logger LOG = Logger.getLogger(TenantDirectory.class);

    private final TenantRepository repository;
    private final CredentialResolver credentials;
    private final RegistryConfig config;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    /** {@code route} is {@code null} for a tenant the registry does not have. */
    private record Cached(TenantRoute route, long loadedAt) {
    }

    public TenantDirectory(TenantRepository repository, CredentialResolver credentials, RegistryConfig config) {
        this.repository = repository;
        this.credentials = credentials;
        this.config = config;
    }

    /** The tenant's route, or {@code null} if the registry has no such tenant. */
    public Uni<TenantRoute> find(String key) {
        long now = System.nanoTime();
        Cached cached = cache.get(key);
        if (cached != null && now - cached.loadedAt() < config.routeTtl().toNanos()) {
            return Uni.createFrom().item(cached.route());
        }
        return Panache.withSession(() -> repository.findById(key))
                .ifNoItem().after(config.lookupTimeout()).fail()
                .map(tenant -> tenant == null ? null : route(tenant))
                .invoke(route -> remember(key, route))
                .onFailure(e -> !(e instanceof ProblemException)).recoverWithUni(failure -> {
                    if (cached != null && System.nanoTime() - cached.loadedAt() < config.maxStale().toNanos()) {
                        LOG.warnf("registry unavailable (%s); serving tenant %s from a stale route", failure, key);
                        return Uni.createFrom().item(cached.route());
                    }
                    LOG.warnf("registry unavailable: %s", failure.toString());
                    return Uni.createFrom().failure(ProblemException.unavailable("registry-unavailable",
                            "the tenant registry cannot be reached; retry shortly", 5));
                });
    }

    /** Forgets a cached route, so this instance sees a change at once. */
    public void invalidate(String key) {
        cache.remove(key);
    }

    private void remember(String key, TenantRoute route) {
        if (cache.size() >= config.routeCacheSize()) {
            cache.clear(); // rare and cheap to refill; keeps memory bounded without an LRU structure
        }
        cache.put(key, new Cached(route, System.nanoTime()));
    }

    public TenantRoute route(Tenant tenant) {
        String password;
        try {
            password = credentials.passwordOf(tenant);
        } catch (IllegalStateException e) {
            throw ProblemException.unavailable("tenant-credentials-unavailable",
                    "the credentials of tenant '" + tenant.key + "' cannot be resolved", 30);
        }
        return new TenantRoute(tenant.key, tenant.displayName, tenant.status, tenant.kind, tenant.host, tenant.port,
                tenant.databaseName, tenant.username, password, tenant.tlsMode, tenant.maxPoolSize);
    }
}
