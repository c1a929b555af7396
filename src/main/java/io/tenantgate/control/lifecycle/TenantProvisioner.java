package io.tenantgate.control.lifecycle;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.tenantgate.control.migration.TenantMigrations;
import io.tenantgate.control.migration.TenantMigrator;
import io.tenantgate.control.registry.CredentialCipher;
import io.tenantgate.control.registry.CredentialResolver;
import io.tenantgate.control.registry.Tenant;
import io.tenantgate.control.registry.TenantDirectory;
import io.tenantgate.control.registry.TenantKey;
import io.tenantgate.control.registry.TenantRepository;
import io.tenantgate.governor.ConnectionProof;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.governor.tls.DatabaseTls;
import io.tenantgate.platform.failure.DatabaseFailures;
import io.tenantgate.platform.problem.Inputs;
import io.tenantgate.platform.problem.Problem;
import io.tenantgate.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Adds tenants to the registry and changes their status.
 *
 * <p>Provisioning connects to the tenant's database as its live pool will, then migrates it, and
 * stores the tenant only if both succeed, so a tenant in the registry always has a reachable,
 * migrated schema that its pool can serve, and a failed provisioning leaves nothing behind.
 */
@ApplicationScoped
public class TenantProvisioner {

    private final TenantRepository repository;
    private final TenantDirectory directory;
    private final CredentialCipher cipher;
    private final TenantMigrator migrator;
    private final TenantPools pools;
    private final CredentialResolver credentials;
    private final ConnectionProof liveConnection;
    private final DatabaseTls databaseTls;

    public TenantProvisioner(TenantRepository repository, TenantDirectory directory, CredentialCipher cipher,
                             TenantMigrator migrator, TenantPools pools, CredentialResolver credentials,
                             ConnectionProof liveConnection, DatabaseTls databaseTls) {
        this.credentials = credentials;
        this.liveConnection = liveConnection;
        this.databaseTls = databaseTls;
        this.repository = repository;
        this.directory = directory;
        this.cipher = cipher;
        this.migrator = migrator;
        this.pools = pools;
    }

    public Uni<TenantRoute> provision(NewTenant spec) {
        return fileReadAgain(spec.key(), spec.passwordRef()).chain(() -> provisionValid(spec));
    }

    private Uni<TenantRoute> provisionValid(NewTenant spec) {
        validate(spec, spec.passwordRef() != null);
        Tenant tenant = toEntity(spec);
        TenantRoute route = directory.route(tenant);
        return exists(spec.key())
                .invoke(exists -> {
                    if (exists) {
                        throw new ProblemException(409, "tenant-exists", "Conflict",
                                "tenant '" + spec.key() + "' already exists");
                    }
                })
                .chain(() -> prove(route))
                .chain(() -> persist(tenant))
                .invoke(() -> directory.invalidate(spec.key()))
                // Two provisions of one key can both pass the existence check; the primary key decides.
                .onFailure(DatabaseFailures::isUniqueViolation).transform(e -> new ProblemException(409, "tenant-exists",
                        "Conflict", "tenant '" + spec.key() + "' already exists"))
                .replaceWith(route);
    }

    /**
     * Connects to the tenant's database as its live pool will (the Vert.x client, TLS and client
     * certificate included), then migrates it over JDBC: a tenant is stored only if both work, and
     * a database its pool cannot reach is not migrated. Either failure is the 422 that names its
     * cause.
     */
    private Uni<Void> prove(TenantRoute route) {
        boolean clientCertificate = databaseTls.presentsClientCertificate(route.server());
        return liveConnection.prove(route)
                .onFailure().transform(failure -> TenantSetupFailures.toProblem(route, clientCertificate, false, failure))
                .chain(() -> migrator.migrate(route)
                        .onFailure().transform(failure -> TenantSetupFailures.toProblem(route, clientCertificate, true,
                                failure)))
                .replaceWithVoid();
    }

    /** The stored tenant, or {@code null}. */
    public Uni<TenantView> find(String key) {
        return Panache.withSession(() -> repository.findById(key)).map(t -> t == null ? null : TenantView.of(t));
    }

    /** One page of tenants in key order, optionally only of one status and/or kind. */
    public Uni<TenantList> list(TenantStatus status, DatabaseKind kind, int page, int size) {
        StringBuilder query = new StringBuilder();
        Map<String, Object> params = new HashMap<>();
        if (status != null) {
            query.append("status = :status");
            params.put("status", status);
        }
        if (kind != null) {
            query.append(query.isEmpty() ? "" : " and ").append("kind = :kind");
            params.put("kind", kind);
        }
        String where = query.toString();
        return Panache.withSession(() -> (where.isEmpty()
                        ? repository.findAll(Sort.by("key"))
                        : repository.find(where, Sort.by("key"), params))
                .page(page, size).list()
                .chain(tenants -> (where.isEmpty() ? repository.count() : repository.count(where, params))
                        .map(total -> new TenantList(tenants.stream().map(TenantView::of).toList(), page, size, total))));
    }

    /** A page of tenants. */
    public record TenantList(List<TenantView> items, int page, int size, long total) {
    }

    /**
     * Changes a tenant. New connection details are proven first (connect and migrate, 422 naming
     * the cause otherwise, nothing stored); then the change is stored and this instance drops the
     * cached route, so the next request gets a pool with the new details while the old pool drains.
     * Suspending retires the pool at once. {@code null} if there is no such tenant.
     */
    public Uni<TenantView> change(String key, TenantPatch patch) {
        return fileReadAgain(key, patch.passwordRef()).chain(() -> Panache.withSession(() -> repository.findById(key)))
                .chain(current -> {
            if (current == null) {
                return Uni.createFrom().nullItem();
            }
            Tenant next = patched(copyOf(current), patch);
            validate(specOf(next, patch), patch.passwordRef() != null);
            requireCredentialWhereItWouldGo(current, next, patch);
            boolean reconnects = !Objects.equals(current.host, next.host) || current.port != next.port
                    || !Objects.equals(current.databaseName, next.databaseName)
                    || !Objects.equals(current.username, next.username) || patch.password() != null
                    || patch.passwordRef() != null || current.tlsMode != next.tlsMode;
            Uni<?> proven = reconnects ? prove(directory.route(next)) : Uni.createFrom().voidItem();
            return proven.chain(() -> Panache.withTransaction(() -> repository.findById(key).map(stored -> {
                if (stored == null) {
                    return null;
                }
                patched(stored, patch);
                if (reconnects) {
                    stored.schemaVersion = TenantMigrations.expectedVersion(); // just migrated
                }
                stored.updatedAt = now();
                return stored;
            }))).map(stored -> stored == null ? null : TenantView.of(stored));
        }).invoke(view -> {
            directory.invalidate(key);
            if (view != null && view.status() != TenantStatus.ACTIVE) {
                pools.evict(key);
            }
        });
    }

    /**
     * Removes a tenant from the registry and retires its pool (admitted work finishes first). Its
     * database is left alone. {@code false} if there was no such tenant.
     */
    public Uni<Boolean> remove(String key) {
        return Panache.withTransaction(() -> repository.deleteById(key)).invoke(removed -> {
            directory.invalidate(key);
            pools.evict(key);
        });
    }

    private Tenant patched(Tenant tenant, TenantPatch patch) {
        if (patch.displayName() != null) {
            tenant.displayName = patch.displayName();
        }
        if (patch.status() != null) {
            tenant.status = patch.status();
        }
        if (patch.host() != null) {
            tenant.host = patch.host();
        }
        if (patch.port() != null) {
            tenant.port = patch.port();
        }
        if (patch.database() != null) {
            tenant.databaseName = patch.database();
        }
        if (patch.username() != null) {
            tenant.username = patch.username();
        }
        if (patch.password() != null) {
            tenant.passwordEncrypted = cipher.encrypt(tenant.key, patch.password());
            tenant.passwordRef = null;
        } else if (patch.passwordRef() != null) {
            tenant.passwordRef = patch.passwordRef();
            tenant.passwordEncrypted = null;
        }
        if (patch.tlsMode() != null) {
            tenant.tlsMode = patch.tlsMode();
        }
        if (patch.clearMaxPoolSize()) {
            tenant.maxPoolSize = null;
        } else if (patch.maxPoolSize() != null) {
            tenant.maxPoolSize = patch.maxPoolSize();
        }
        return tenant;
    }

    /**
     * A change of where or how the password is sent (host, port, database, user, or a weaker TLS
     * mode) must give the credential again, inline or as a reference: otherwise an operator could
     * make tenantgate send a tenant's stored password to a server of their choosing. Checked before
     * anything connects, so such a request changes nothing and reaches no server.
     */
    private static void requireCredentialWhereItWouldGo(Tenant current, Tenant next, TenantPatch patch) {
        boolean moves = !Objects.equals(current.host, next.host) || current.port != next.port
                || !Objects.equals(current.databaseName, next.databaseName)
                || !Objects.equals(current.username, next.username)
                || next.tlsMode.ordinal() < current.tlsMode.ordinal();
        if (moves && patch.password() == null && patch.passwordRef() == null) {
            throw new ProblemException(422, "tenant-credentials-required", "Unprocessable tenant",
                    "changing host, port, database or username, or weakening tlsMode, needs the password again in the"
                            + " same request (password or passwordRef); the stored one is never sent to new details");
        }
    }

    private static Tenant copyOf(Tenant t) {
        Tenant copy = new Tenant();
        copy.key = t.key;
        copy.displayName = t.displayName;
        copy.status = t.status;
        copy.kind = t.kind;
        copy.host = t.host;
        copy.port = t.port;
        copy.databaseName = t.databaseName;
        copy.username = t.username;
        copy.passwordEncrypted = t.passwordEncrypted;
        copy.passwordRef = t.passwordRef;
        copy.tlsMode = t.tlsMode;
        copy.maxPoolSize = t.maxPoolSize;
        copy.createdAt = t.createdAt;
        copy.updatedAt = t.updatedAt;
        return copy;
    }

    /** The patched tenant as a spec, so the same rules as at creation apply. */
    private static NewTenant specOf(Tenant t, TenantPatch patch) {
        String password = patch.password() != null ? patch.password() : t.passwordEncrypted != null ? "(stored)" : null;
        return new NewTenant(t.key, t.displayName, t.kind, t.host, t.port, t.databaseName, t.username, password,
                password == null ? t.passwordRef : null, t.tlsMode, t.maxPoolSize);
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
            return Uni.createFrom().failure(ProblemException.invalid("maxPoolSize", "1 to 1000"));
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
        // Verified TLS unless the operator asks for less, per tenant: a password must not cross a
        // network to a server that has not proven who it is.
        tenant.tlsMode = spec.tlsMode() == null ? TlsMode.VERIFY_FULL : spec.tlsMode();
        tenant.maxPoolSize = spec.maxPoolSize();
        tenant.createdAt = now();
        tenant.updatedAt = tenant.createdAt;
        // Provisioning migrates first and stores only on success: the schema is current.
        tenant.schemaVersion = TenantMigrations.expectedVersion();
        return tenant;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    private void validate(NewTenant spec, boolean checkReference) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (!TenantKey.isValid(spec.key())) {
            errors.add(new Problem.FieldError("key", "must match " + TenantKey.REGEX));
        }
        if (spec.displayName() == null || spec.displayName().isBlank() || spec.displayName().length() > 200
                || !Inputs.isSingleLine(spec.displayName())) {
            errors.add(new Problem.FieldError("displayName", "1 to 200 characters on one line"));
        }
        if (spec.kind() == null) {
            errors.add(new Problem.FieldError("kind", "MYSQL or POSTGRESQL"));
        }
        if (spec.host() == null || !spec.host().matches("^[A-Za-z0-9.:\\-\\[\\]]{1,255}$")) {
            errors.add(new Problem.FieldError("host", "a host name or IP address"));
        }
        if (spec.port() < 1 || spec.port() > 65535) {
            errors.add(new Problem.FieldError("port", "1 to 65535"));
        }
        if (spec.database() == null || !spec.database().matches("^[A-Za-z0-9_\\-]{1,64}$")) {
            errors.add(new Problem.FieldError("database", "1 to 64 letters, digits, '_' or '-'"));
        }
        if (spec.username() == null || spec.username().isBlank() || spec.username().length() > 64
                || !Inputs.isSingleLine(spec.username())) {
            errors.add(new Problem.FieldError("username", "1 to 64 characters on one line"));
        }
        if ((spec.password() == null) == (spec.passwordRef() == null)) {
            errors.add(new Problem.FieldError("password", "give exactly one of password and passwordRef"));
        } else if (spec.passwordRef() != null && !CredentialResolver.isWellFormedReference(spec.passwordRef())) {
            errors.add(new Problem.FieldError("passwordRef", "env:NAME, config:property.name or file:<key>[.<suffix>]"));
        }
        if (spec.maxPoolSize() != null && (spec.maxPoolSize() < 1 || spec.maxPoolSize() > 1000)) {
            errors.add(new Problem.FieldError("maxPoolSize", "1 to 1000"));
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        if (checkReference) {
            checkReference(spec.key(), spec.passwordRef());
        }
    }

    /**
     * A tenant's own {@code file:} reference is read again before it is checked: a secret file
     * mounted a moment ago resolves without waiting for the next check of the directory.
     */
    private Uni<Void> fileReadAgain(String key, String ref) {
        if (ref == null || !credentials.isOwnReference(key, ref)) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(() -> credentials.reread(ref).toCompletionStage()).replaceWithVoid();
    }

    /** A reference names this tenant's own secret and resolves now; both are checked before any connect. */
    private void checkReference(String key, String ref) {
        if (!credentials.isOwnReference(key, ref)) {
            throw new ProblemException(422, "password-reference-not-allowed", "Unprocessable tenant",
                    "a passwordRef may name only this tenant's own secret: " + credentials.ownReferences(key));
        }
        if (!credentials.resolves(ref)) {
            throw new ProblemException(422, "password-reference-unresolved", "Unprocessable tenant",
                    "passwordRef " + ref + " resolves to nothing on this instance; provide the secret first");
        }
    }
}
