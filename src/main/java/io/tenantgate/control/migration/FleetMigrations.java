package io.tenantgate.control.migration;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.tenantgate.control.registry.RegistryContexts;
import io.tenantgate.control.registry.Tenant;
import io.tenantgate.control.registry.TenantDirectory;
import io.tenantgate.control.registry.TenantRepository;
import io.tenantgate.governor.route.TenantRoute;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brings every tenant whose schema is behind this build ({@link TenantMigrations#expectedVersion})
 * up to date, while the service keeps serving.
 *
 * <p>Invariants: at most {@code concurrency} tenants migrate at once, and at most
 * {@code concurrency-per-server} on one server (their connections also take that server's budget
 * permits, see {@code MigrationConnections}); one tenant's failure is recorded and the others go
 * on; a tenant is marked current in the registry only after its migration succeeded, and until
 * then its requests get 503 {@code tenant-schema-behind} (see {@code CurrentTenant}), so this
 * build's queries never meet an old schema. The registry's change log carries the new version to
 * every replica. Scheduling runs on one Vert.x context, so its bookkeeping needs no locks; the
 * migrations themselves run on worker threads.
 */
@ApplicationScoped
public class FleetMigrations {

    private static final Logger LOG = Logger.getLogger(FleetMigrations.class);

    /** Where one tenant stands in the current run. */
    @Schema(name = "TenantMigrationState")
    public enum State { PENDING, RUNNING, UPGRADED, FAILED }

    public record TenantProgress(String tenant, String server, State state, String error) {
    }

    /** The current (or last) run. */
    @Schema(name = "MigrationProgress")
    public record Progress(int expectedVersion, boolean running, Instant startedAt, Instant finishedAt, int total,
                           int pending, int inProgress, int upgraded, int failed, int peakConcurrency,
                           int peakConcurrencyOnOneServer, List<TenantProgress> notUpgraded) {
    }

    private final TenantMigrator migrator;
    private final TenantRepository repository;
    private final TenantDirectory directory;
    private final Pool registry;
    private final MigrationConfig config;
    private final Vertx vertx;
    private final Map<String, TenantProgress> progress = new ConcurrentHashMap<>();
    private final Deque<TenantRoute> queue = new ArrayDeque<>();
    private final Map<String, Integer> runningPerServer = new HashMap<>();
    private int runningTotal;
    private volatile int peakTotal;
    private volatile int peakOnOneServer;
    private volatile boolean running;
    private volatile Instant startedAt;
    private volatile Instant finishedAt;
    private Context context;

    public FleetMigrations(TenantMigrator migrator, TenantRepository repository, TenantDirectory directory,
                           Pool registry, MigrationConfig config, Vertx vertx) {
        this.migrator = migrator;
        this.repository = repository;
        this.directory = directory;
        this.registry = registry;
        this.config = config;
        this.vertx = vertx;
    }

    void atStart(@Observes StartupEvent event) {
        if (config.upgradeAtStart()) {
            start();
        }
    }

    /** Starts a run unless one is going; returns whether this call started it. */
    public synchronized boolean start() {
        if (running) {
            return false;
        }
        running = true;
        startedAt = Instant.now();
        finishedAt = null;
        progress.clear();
        peakTotal = 0;
        peakOnOneServer = 0;
        int expected = TenantMigrations.expectedVersion();
        RegistryContexts.runIsolated(vertx, () -> {
            context = Vertx.currentContext();
            Panache.withSession(() -> repository.list("schemaVersion < ?1", expected))
                    .subscribe().with(this::enqueue, failure -> {
                        LOG.warnf("fleet upgrade could not list tenants: %s", failure.toString());
                        finish();
                    });
        });
        return true;
    }

    private void enqueue(List<Tenant> behind) {
        for (Tenant tenant : behind) {
            try {
                TenantRoute route = directory.route(tenant);
                queue.add(route);
                progress.put(route.key(), new TenantProgress(route.key(), route.server(), State.PENDING, null));
            } catch (RuntimeException e) {
                progress.put(tenant.key, new TenantProgress(tenant.key, tenant.host + ":" + tenant.port, State.FAILED,
                        e.getMessage()));
            }
        }
        LOG.infof("fleet upgrade to tenant schema %d: %d tenants behind", TenantMigrations.expectedVersion(),
                behind.size());
        pump();
    }

    /** Starts queued migrations within both limits; called on the run's context only. */
    private void pump() {
        int max = Math.max(1, config.concurrency());
        int perServer = Math.max(1, config.concurrencyPerServer());
        for (var it = queue.iterator(); it.hasNext() && runningTotal < max; ) {
            TenantRoute route = it.next();
            int onServer = runningPerServer.getOrDefault(route.server(), 0);
            if (onServer >= perServer) {
                continue;
            }
            it.remove();
            runningTotal++;
            int nowOnServer = runningPerServer.merge(route.server(), 1, Integer::sum);
            peakTotal = Math.max(peakTotal, runningTotal);
            peakOnOneServer = Math.max(peakOnOneServer, nowOnServer);
            progress.put(route.key(), new TenantProgress(route.key(), route.server(), State.RUNNING, null));
            migrator.migrate(route)
                    .chain(done -> registry.preparedQuery("UPDATE tenant SET schema_version = $1 WHERE tenant_key = $2")
                            .execute(Tuple.of(TenantMigrations.expectedVersion(), route.key())))
                    .subscribe().with(
                            done -> ended(route, State.UPGRADED, null),
                            failure -> ended(route, State.FAILED, describe(failure)));
        }
        if (queue.isEmpty() && runningTotal == 0) {
            finish();
        }
    }

    private void ended(TenantRoute route, State state, String error) {
        context.runOnContext(ignored -> {
            runningTotal--;
            runningPerServer.merge(route.server(), -1, Integer::sum);
            progress.put(route.key(), new TenantProgress(route.key(), route.server(), state, error));
            if (state == State.FAILED) {
                LOG.warnf("fleet upgrade of tenant %s failed: %s", route.key(), error);
            } else {
                directory.invalidate(route.key());
            }
            pump();
        });
    }

    private synchronized void finish() {
        if (!running) {
            return;
        }
        running = false;
        finishedAt = Instant.now();
        LOG.infof("fleet upgrade finished: %s", counts());
    }

    private Map<State, Integer> counts() {
        Map<State, Integer> counts = new HashMap<>();
        progress.values().forEach(p -> counts.merge(p.state(), 1, Integer::sum));
        return counts;
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 300 ? message.substring(0, 300) : message;
    }

    public Progress progress() {
        Map<State, Integer> counts = counts();
        List<TenantProgress> notUpgraded = new ArrayList<>();
        progress.values().stream().filter(p -> p.state() != State.UPGRADED)
                .sorted(java.util.Comparator.comparing(TenantProgress::tenant)).limit(500).forEach(notUpgraded::add);
        return new Progress(TenantMigrations.expectedVersion(), running, startedAt, finishedAt, progress.size(),
                counts.getOrDefault(State.PENDING, 0), counts.getOrDefault(State.RUNNING, 0),
                counts.getOrDefault(State.UPGRADED, 0), counts.getOrDefault(State.FAILED, 0), peakTotal, peakOnOneServer,
                notUpgraded);
    }
}
