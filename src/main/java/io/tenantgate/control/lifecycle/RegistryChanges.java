package io.tenantgate.control.lifecycle;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.tenantgate.control.registry.RegistryConfig;
import io.tenantgate.control.registry.RegistryContexts;
import io.tenantgate.control.registry.TenantDirectory;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.TenantStatus;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings every change to the tenant registry to this replica, whichever replica (or operator) made
 * it, within {@code tenantgate.registry.change-poll} plus one lookup.
 *
 * <p>A trigger on the registry's {@code tenant} table logs each change in {@code tenant_change};
 * this polls it through the registry pool (one poll in flight at most, bounded in time). For each
 * changed tenant the cached route is dropped, so the next request reads the new one (and a changed
 * identity replaces the pool with a drain); a tenant that is now gone or suspended has its pool
 * retired at once. Sequence numbers can commit out of order, so each poll also re-reads the last
 * {@value #OVERLAP_SECONDS} seconds: applying a change twice is harmless.
 */
@ApplicationScoped
public class RegistryChanges {

    private static final Logger LOG = Logger.getLogger(RegistryChanges.class);
    static final int OVERLAP_SECONDS = 30;

    private final Pool registry;
    private final TenantDirectory directory;
    private final TenantPools pools;
    private final RegistryConfig config;
    private final Vertx vertx;
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile long lastSeq = -1;
    /** Changes already applied, by sequence number, kept as long as the overlap can return them. */
    private final java.util.Map<Long, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
    private long timer = -1;
    private long polls;

    public RegistryChanges(Pool registry, TenantDirectory directory, TenantPools pools, RegistryConfig config,
                           Vertx vertx) {
        this.registry = registry;
        this.directory = directory;
        this.pools = pools;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(Math.max(100, config.changePoll().toMillis()), id -> poll());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    void poll() {
        if (!polling.compareAndSet(false, true)) {
            return;
        }
        String sql = lastSeq < 0
                ? "SELECT COALESCE(MAX(seq), 0) AS seq, NULL AS tenant_key FROM tenant_change"
                : "SELECT seq, tenant_key FROM tenant_change WHERE seq > $1"
                  + " OR changed_at > clock_timestamp() - interval '" + OVERLAP_SECONDS + " seconds' ORDER BY seq";
        Uni<io.vertx.mutiny.sqlclient.RowSet<Row>> query = lastSeq < 0
                ? registry.query(sql).execute()
                : registry.preparedQuery(sql).execute(Tuple.of(lastSeq));
        query.ifNoItem().after(config.lookupTimeout()).fail()
                .subscribe().with(rows -> {
                    Set<String> changed = new LinkedHashSet<>();
                    long max = lastSeq;
                    long now = System.nanoTime();
                    for (Row row : rows) {
                        long seq = row.getLong("seq");
                        max = Math.max(max, seq);
                        String key = row.getString("tenant_key");
                        if (key != null && seen.putIfAbsent(seq, now) == null) {
                            changed.add(key);
                        }
                    }
                    seen.values().removeIf(at -> now - at > 2 * OVERLAP_SECONDS * 1_000_000_000L);
                    lastSeq = max;
                    changed.forEach(this::apply);
                    polling.set(false);
                    if (++polls % 1000 == 0) {
                        purge();
                    }
                }, failure -> {
                    polling.set(false);
                    LOG.debugf("registry change poll failed: %s", failure.toString());
                });
    }

    /** Drops the tenant's cached route; retires its pool if it is gone or no longer active. */
    private void apply(String key) {
        directory.invalidate(key);
        if (!pools.hasPool(key)) {
            return;
        }
        // Asked on a context of its own: the registry session is bound to the context that opens it.
        RegistryContexts.runIsolated(vertx, () -> directory.find(key).subscribe().with(route -> {
                    if (route == null || route.status() != TenantStatus.ACTIVE) {
                        LOG.infof("tenant %s was %s elsewhere; retiring its pool here", key,
                                route == null ? "removed" : "suspended");
                        pools.evict(key);
                    }
                }, failure -> LOG.debugf("could not re-read tenant %s: %s", key, failure.toString())));
    }

    private void purge() {
        registry.query("DELETE FROM tenant_change WHERE changed_at < clock_timestamp() - interval '1 day'")
                .execute().subscribe().with(done -> { }, failure -> { });
    }

    /** The highest change this replica has applied; for tests. */
    public long lastApplied() {
        return lastSeq;
    }
}
