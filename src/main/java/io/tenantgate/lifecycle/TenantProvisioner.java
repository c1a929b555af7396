package io.tenantgate.lifecycle;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.DatabaseErrors;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.migration.TenantMigrator;
import io.tenantgate.problem.ProblemException;
import io.tenantgate.registry.CredentialCipher;
import io.tenantgate.registry.CredentialResolver;
import io.tenantgate.registry.Tenant;
import io.tenantgate.registry.TenantDirectory;
import io.tenantgate.registry.TenantKey;
import io.tenantgate.registry.TenantRepository;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.registry.TenantStatus;
import io.tenantgate.registry.TlsMode;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Adds tenants to the registry and changes their status.
 *
 * <p>Provisioning migrates the tenant's database first and stores the tenant only if that
 * succeeds, so a tenant in the registry always has a reachable, migrated schema and a failed
 * provisioning leaves nothing behind.
 */
@ApplicationScoped
public class TenantProvisioner {

    private final TenantRepository repository;
    private final TenantDirectory directory;
    private final CredentialCipher cipher;
    private final TenantMigrator migrator;
    private final TenantPools pools;
    private final CredentialResolver credentials;

    public TenantProvisioner(TenantRepository repository, TenantDirectory directory, CredentialCipher cipher,
                             TenantMigrator migrator, TenantPools pools, CredentialResolver credentials) {
        this.credentials = credentials;
        this.repository = repository;
        this.directory = directory;
        this.cipher = cipher;
        this.migrator = migrator;
        this.pools = pools;
    }

    public Uni<TenantRoute> provision(NewTenant spec) {
        validate(spec);
        Tenant tenant = toEntity(spec);
        TenantRoute route = directory.route(tenant);
        return exists(spec.key())
                .invoke(exists -> {
                    if (exists) {
                        throw new ProblemException(409, "tenant-exists", "Conflict",
                                "tenant '" + spec.key() + "' already exists");
                    }
                })
                .chain(() -> migrator.migrate(route))
                .chain(() -> persist(tenant))
                .invoke(() -> directory.invalidate(spec.key()))
                // Two provisions of one key can both pass the existence check; the primary key decides.
                .onFailure(DatabaseErrors::isUniqueViolation).transform(e -> new ProblemException(409, "tenant-exists",
                        "Conflict", "tenant '" + spec.key() + "' already exists"))
                .replaceWith(route);
    }

    private Uni<Boolean> exists(String key) {
        return Panache.withSession(() -> repository.count("key", key).map(count -> count > 0));
    }

    private Uni<Tenant> persist(Tenant tenant) {
        return Panache.withTransaction(() -> repository.persist(tenant));
    }

    /** Suspends or re-activates a tenant. A suspended tenant's pool is retired at once and drains. */
    public Uni<Boolean> setStatus(String key, TenantStatus status) {
        return update(key, tenant -> tenant.status = status).invoke(found -> {
            if (found && status != TenantStatus.ACTIVE) {
                pools.evict(key);
            }
        });
    }

    /**
     * Changes a tenant's pool limit ({@code null}: the configured default). Takes effect on this
     * instance at once: the next request builds a pool with the new limit and the old pool drains.
     */
    public Uni<Boolean> setMaxPoolSize(String key, Integer maxPoolSize) {
        if (maxPoolSize != null && (maxPoolSize < 1 || maxPoolSize > 1000)) {
            return Uni.createFrom().failure(ProblemException.badRequest("validation", "maxPoolSize: 1 to 1000"));
        }
        return update(key, tenant -> tenant.maxPoolSize = maxPoolSize);
    }

    /** Changes a stored tenant; {@code false} if there is none. This instance sees the change at once. */
    private Uni<Boolean> update(String key, Consumer<Tenant> change) {
        return Panache.withTransaction(() -> repository.findById(key).map(tenant -> {
            if (tenant == null) {
                return false;
            }
            change.accept(tenant);
            tenant.updatedAt = now();
            return true;
        })).invoke(found -> directory.invalidate(key));
    }

    private Tenant toEntity(NewTenant spec) {
        Tenant tenant = new Tenant();
        tenant.key = spec.key();
        tenant.displayName = spec.displayName();
        tenant.status = TenantStatus.ACTIVE;
        tenant.kind = spec.kind();
        tenant.host = spec.host();
        tenant.port = spec.port();
        tenant.databaseName = spec.database();
        tenant.username = spec.username();
        tenant.passwordEncrypted = spec.password() == null ? null : cipher.encrypt(spec.key(), spec.password());
        tenant.passwordRef = spec.passwordRef();
        tenant.tlsMode = spec.tlsMode() == null ? TlsMode.DISABLED : spec.tlsMode();
        tenant.maxPoolSize = spec.maxPoolSize();
        tenant.createdAt = now();
        tenant.updatedAt = tenant.createdAt;
        return tenant;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    private void validate(NewTenant spec) {
        List<String> errors = new ArrayList<>();
        if (!TenantKey.isValid(spec.key())) {
            errors.add("key: must match " + TenantKey.REGEX);
        }
        if (spec.displayName() == null || spec.displayName().isBlank() || spec.displayName().length() > 200) {
            errors.add("displayName: 1 to 200 characters");
        }
        if (spec.kind() == null) {
            errors.add("kind: MYSQL or POSTGRESQL");
        }
        if (spec.host() == null || !spec.host().matches("^[A-Za-z0-9.:\\-\\[\\]]{1,255}$")) {
            errors.add("host: a host name or IP address");
        }
        if (spec.port() < 1 || spec.port() > 65535) {
            errors.add("port: 1 to 65535");
        }
        if (spec.database() == null || !spec.database().matches("^[A-Za-z0-9_\\-]{1,64}$")) {
            errors.add("database: 1 to 64 letters, digits, '_' or '-'");
        }
        if (spec.username() == null || spec.username().isBlank() || spec.username().length() > 64) {
            errors.add("username: 1 to 64 characters");
        }
        if ((spec.password() == null) == (spec.passwordRef() == null)) {
            errors.add("password: give exactly one of password and passwordRef");
        } else if (spec.passwordRef() != null && !credentials.isAllowedReference(spec.passwordRef())) {
            errors.add("passwordRef: env:NAME or config:property.name under the allowed prefixes");
        }
        if (spec.maxPoolSize() != null && (spec.maxPoolSize() < 1 || spec.maxPoolSize() > 1000)) {
            errors.add("maxPoolSize: 1 to 1000");
        }
        if (!errors.isEmpty()) {
            throw ProblemException.badRequest("validation", String.join("; ", errors));
        }
    }
}
