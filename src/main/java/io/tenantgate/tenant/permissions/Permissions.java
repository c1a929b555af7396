package io.tenantgate.tenant.permissions;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * What a caller may do in their tenant: the permissions granted, in the tenant's own database
 * ({@code role_permission}), to the roles named by the token's {@code groups}.
 *
 * <p>Looked up with one statement and kept for {@value #TTL_SECONDS} s per tenant and set of
 * roles (bounded), so checking a permission costs no round trip on most requests. A grant changed
 * in the tenant's database takes effect within that time.
 */
@ApplicationScoped
public class Permissions {

    public static final String CUSTOMERS_READ = "customers:read";
    public static final String CUSTOMERS_WRITE = "customers:write";
    public static final String REPORTS_READ = "reports:read";
    public static final String REPORTS_WRITE = "reports:write";

    static final int TTL_SECONDS = 10;
    private static final int MAX_ROLES = 20;
    private static final int MAX_CACHED = 10_000;
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final TenantSql sql;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();
    /** Lookups under way: concurrent first requests of one tenant share one statement. */
    private final ConcurrentMap<String, Uni<Set<String>>> loading = new ConcurrentHashMap<>();

    private record Cached(Set<String> permissions, long loadedAt) {
    }

    public Permissions(TenantSql sql) {
        this.sql = sql;
    }

    /** The caller's permissions in the tenant, sorted. */
    public Uni<Set<String>> of(TenantRoute tenant, Set<String> groups) {
        List<String> roles = roles(groups);
        if (roles.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        String key = cacheKey(tenant, roles);
        Set<String> cached = fresh(key);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return loading.computeIfAbsent(key, k -> load(tenant, roles, key)
                .onTermination().invoke(() -> loading.remove(key))
                .memoize().indefinitely());
    }

    /**
     * Whether the caller's roles grant {@code permission}, if that is known without a lookup:
     * true or false from the cache (or no usable role at all), null when the tenant's database
     * must be asked ({@link #require}).
     */
    public Boolean grantsIfKnown(TenantRoute tenant, Set<String> groups, String permission) {
        List<String> roles = roles(groups);
        if (roles.isEmpty()) {
            return Boolean.FALSE;
        }
        Set<String> cached = fresh(cacheKey(tenant, roles));
        return cached == null ? null : cached.contains(permission);
    }

    /** The 403 for a caller whose roles do not grant {@code permission}. */
    public static ProblemException denied(TenantRoute tenant, String permission) {
        return new ProblemException(403, "permission-denied", "Forbidden",
                "your roles in tenant '" + tenant.key() + "' do not grant " + permission);
    }

    /** The token's groups that are well-formed role names, sorted, at most {@value #MAX_ROLES}; on every request. */
    private static List<String> roles(Set<String> groups) {
        if (groups.size() == 1) { // the usual token: one role, no stream or sort
            String only = groups.iterator().next();
            return ROLE.matcher(only).matches() ? List.of(only) : List.of();
        }
        return groups.stream().filter(g -> ROLE.matcher(g).matches()).sorted().limit(MAX_ROLES).toList();
    }

    private static String cacheKey(TenantRoute tenant, List<String> roles) {
        return tenant.key() + "|" + String.join(",", roles);
    }

    private Set<String> fresh(String key) {
        Cached cached = cache.get(key);
        return cached != null && System.nanoTime() - cached.loadedAt() < TTL_SECONDS * 1_000_000_000L
                ? cached.permissions() : null;
    }

    private Uni<Set<String>> load(TenantRoute tenant, List<String> roles, String key) {
        return sql.withConnection(tenant, (c, dialect) -> PermissionSql.grantedTo(c, dialect, roles))
                .map(frozen -> {
                    if (cache.size() >= MAX_CACHED) {
                        cache.clear();
                    }
                    cache.put(key, new Cached(frozen, System.nanoTime()));
                    return frozen;
                });
    }

    /** Fails with 403 {@code permission-denied} unless the caller's roles grant {@code permission}. */
    public Uni<Void> require(TenantRoute tenant, Set<String> groups, String permission) {
        return of(tenant, groups).invoke(granted -> {
            if (!granted.contains(permission)) {
                throw denied(tenant, permission);
            }
        }).replaceWithVoid();
    }
}
