package io.tenantgate.control.registry;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.resilience.Deadlines;
import io.tenantgate.governor.route.CredentialRenewal;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.problem.ProblemException;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeoutException;

/**
 * Reads tenants from the registry and resolves them into {@link TenantRoute}s, credentials included.
 *
 * <p>Routes are cached for {@code tenantgate.registry.route-ttl} (unknown tenants too, so a flood of
 * tokens for a missing tenant does not reach the registry), which bounds how long a change made on
 * another replica takes to be seen here. Every registry read is bounded by
 * {@code lookup-timeout}. Passwords are decrypted once per load, not per request.
 *
 * <p>A known tenant never waits for the registry once its route is cached: an expired route is
 * served at once while one refresh per tenant runs in the background (stale-while-revalidate), so a
 * slow or dead registry costs known tenants nothing for up to {@code max-stale}; past that, or for
 * a tenant never seen, the request waits at most {@code lookup-timeout} and then gets 503
 * {@code registry-unavailable}. A change made elsewhere is seen within {@code route-ttl} plus one lookup.
 *
 * <p>A password in a secret file ({@code file:} reference) is taken from {@link SecretFiles} at
 * every load, so a rotated file reaches the route within {@code secrets-reload-period} plus
 * {@code route-ttl}; and at once when the tenant's database rejects the old password
 * ({@link #renewed}), without waiting for the registry.
 */
@ApplicationScoped
public class TenantDirectory implements CredentialRenewal {

    private static final Logger LOG = Logger.getLogger(TenantDirectory.class);

    private final TenantRepository repository;
    private final CredentialResolver credentials;
    private final RegistryConfig config;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    /** Orders this instance's routes by when their registry read began (see {@link TenantRoute}). */
    private final AtomicLong resolutions = new AtomicLong();
    private final Vertx vertx;
    /** The {@code file:} reference of each tenant whose password is in a secret file, as last resolved. */
    private final ConcurrentMap<String, String> fileReferences = new ConcurrentHashMap<>();

    /**
     * {@code route} is {@code null} for a tenant the registry does not have. An invalidated entry
     * stays as a tombstone stamped with the invalidation time, so a load that started before it
     * cannot put the old route back.
     */
    private record Cached(TenantRoute route, long loadedAt, boolean invalidated) {
        static Cached tombstone() {
            return new Cached(null, System.nanoTime(), true);
        }
    }

    public TenantDirectory(TenantRepository repository, CredentialResolver credentials, RegistryConfig config,
                           Vertx vertx) {
        this.vertx = vertx;
        this.repository = repository;
        this.credentials = credentials;
        this.config = config;
    }

    /**
     * The tenant's route if a servable one is cached (a stale one is refreshed in the background),
     * else null: then {@link #find} asks the registry, or knows the tenant does not exist. Lets the
     * request path decide a known tenant without a {@code Uni} step.
     */
    public TenantRoute cached(String key) {
        Cached cached = servable(key);
        return cached == null ? null : cached.route();
    }

    /** The cache entry if it may be served now: fresh, or stale but within max-stale (then refreshed). */
    private Cached servable(String key) {
        Cached cached = cache.get(key);
        if (cached == null || cached.invalidated()) {
            return null;
        }
        long age = System.nanoTime() - cached.loadedAt();
        if (age < config.routeTtl().toNanos()) {
            return cached;
        }
        if (age < config.maxStale().toNanos()) {
            refreshInBackground(key);
            return cached;
        }
        return null;
    }

    /** The tenant's route, or {@code null} if the registry has no such tenant. */
    public Uni<TenantRoute> find(String key) {
        Cached cached = servable(key);
        if (cached != null) {
            return Uni.createFrom().item(cached.route());
        }
        return load(key).onFailure(e -> !(e instanceof ProblemException)).transform(failure -> {
            LOG.warnf("registry unavailable: %s", failure.toString());
            return ProblemException.registryUnavailable();
        });
    }

    private Uni<TenantRoute> load(String key) {
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            long order = resolutions.incrementAndGet(); // before the read: a change committed after it orders later
            return lookup(key, order).invoke(route -> remember(key, route, started));
        });
    }

    private Uni<TenantRoute> lookup(String key, long order) {
        return Deadlines.within(vertx, Panache.withSession(() -> repository.findById(key)), config.lookupTimeout(),
                        () -> new TimeoutException("no answer from the registry within " + config.lookupTimeout()))
                .map(tenant -> tenant == null ? null : route(tenant, order));
    }

    /**
     * One refresh per tenant at a time, on a context of its own (a Hibernate Reactive session is
     * bound to its Vert.x context, and the request's may still be in use).
     */
    private void refreshInBackground(String key) {
        if (!refreshing.add(key)) {
            return;
        }
        RegistryContexts.runIsolated(vertx, () ->
                load(key).subscribe().with(
                        route -> refreshing.remove(key),
                        failure -> {
                            // Not asked again for one TTL: a dead registry gets one lookup per
                            // tenant per TTL, not one per request.
                            vertx.setTimer(Math.max(1, config.routeTtl().toMillis()), id -> refreshing.remove(key));
                            LOG.warnf("registry unavailable (%s); still serving the cached route of tenant %s",
                                    failure.toString(), key);
                        }));
    }

    /** Routes in memory that can still be served (younger than {@code max-stale}), known tenants or not. */
    public int servableRoutes() {
        long now = System.nanoTime();
        long maxStale = config.maxStale().toNanos();
        return (int) cache.values().stream()
                .filter(c -> !c.invalidated() && c.route() != null && now - c.loadedAt() < maxStale).count();
    }

    /** Forgets every cached route: the next request of each tenant asks the registry. */
    public void invalidateAll() {
        cache.replaceAll((key, cached) -> Cached.tombstone());
    }

    /** Forgets a cached route, so this instance sees a change at once. */
    public void invalidate(String key) {
        cache.put(key, Cached.tombstone());
    }

    /** Keeps a loaded route unless the entry was invalidated (or reloaded) after the load began. */
    private void remember(String key, TenantRoute route, long loadStarted) {
        if (cache.size() >= config.routeCacheSize() && !cache.containsKey(key)) {
            cache.clear(); // rare and cheap to refill; keeps memory bounded without an LRU structure
        }
        cache.compute(key, (k, old) -> old != null && old.loadedAt() - loadStarted > 0
                ? old
                : new Cached(route, System.nanoTime(), false));
    }

    /** The tenant as just read from the registry, resolved into a route. */
    public TenantRoute route(Tenant tenant) {
        return route(tenant, resolutions.incrementAndGet());
    }

    private TenantRoute route(Tenant tenant, long order) {
        String password;
        try {
            password = credentials.passwordOf(tenant);
        } catch (IllegalStateException e) {
            throw ProblemException.unavailable("tenant-credentials-unavailable",
                    "the credentials of tenant '" + tenant.key + "' cannot be resolved", 30);
        }
        if (tenant.passwordEncrypted == null && CredentialResolver.isFileReference(tenant.passwordRef)) {
            fileReferences.put(tenant.key, tenant.passwordRef);
        } else {
            fileReferences.remove(tenant.key);
        }
        return new TenantRoute(tenant.key, tenant.displayName, tenant.status, tenant.kind, tenant.host, tenant.port,
                tenant.databaseName, tenant.username, password, tenant.tlsMode, tenant.maxPoolSize, tenant.schemaVersion,
                order);
    }

    /**
     * Reads the tenant's secret file again (only for a {@code file:} reference: other secrets do not
     * change while the process runs). If it now holds another password, the cached route takes it
     * too, so the tenant's next requests need no rejection of their own.
     */
    @Override
    public CompletionStage<TenantRoute> renewed(TenantRoute rejected) {
        String ref = fileReferences.get(rejected.key());
        if (ref == null) {
            return CompletableFuture.completedFuture(null);
        }
        return credentials.reread(ref)
                .map(value -> value.filter(password -> !password.equals(rejected.password()))
                        .map(password -> renew(rejected, password)).orElse(null))
                .otherwise((TenantRoute) null)
                .toCompletionStage();
    }

    private TenantRoute renew(TenantRoute rejected, String password) {
        Cached before = cache.get(rejected.key());
        Cached after = cache.computeIfPresent(rejected.key(), (key, cached) -> cached.route() != null
                && cached.route().password().equals(rejected.password())
                ? new Cached(cached.route().withPassword(password, resolutions.incrementAndGet()), cached.loadedAt(), false)
                : cached);
        if (after != before) { // once per rotation, however many log-ins were rejected at the same moment
            LOG.infof("tenant %s: its database rejected the password; its secret file holds another, which is used now",
                    rejected.key());
        }
        // Ordered after the cached route: the pool built from it is the one the tenant keeps.
        return rejected.withPassword(password, resolutions.incrementAndGet());
    }
}
