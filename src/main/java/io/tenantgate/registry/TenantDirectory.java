package io.tenantgate.registry;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.tenantgate.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reads tenants from the registry and resolves them into {@link TenantRoute}s, credentials included.
 */
@ApplicationScoped
public class TenantDirectory {

    private final TenantRepository repository;
    private final CredentialResolver credentials;

    /**
     * {@link RegistryConfig} is taken here, though only Quarkus's datasource reads its values, so
     * that a missing {@code tenantgate.registry.*} fails start-up with the property's own name.
     */
    public TenantDirectory(TenantRepository repository, CredentialResolver credentials, RegistryConfig registry) {
        this.repository = repository;
        this.credentials = credentials;
    }

    /** The tenant's route, or {@code null} if the registry has no such tenant. */
    @WithSession
    public Uni<TenantRoute> find(String key) {
        return repository.findById(key).map(tenant -> tenant == null ? null : route(tenant));
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
