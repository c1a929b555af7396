package io.tenantgate.control.migration;

import io.quarkus.hibernate.reactive.panache.Panache;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.ReplicaLeases;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings every tenant whose schema is behind this build ({@link TenantMigrations#expectedVersion})
 * up to date, while the service keeps serving, with one runner for the whole fleet.
 *
 * <p>Invariants: exactly one replica runs the fleet upgrade at a time, the holder of the registry's
 * claim ({@link FleetUpgradeClaim}), so the limits below hold for the fleet, not per replica: at
 * most {@code concurrency} tenants migrate at once, and at most {@code concurrency-per-server} on
 * one server (their connections also take that server's budget permits, see
 * {@code MigrationConnections}). The runner renews its claim and publishes its progress every
 * {@code claim-timeout}/5; every replica answers {@code GET /admin/migrations} from what was
 * published. A claim not renewed within {@code claim-timeout} is taken over by another replica,
 * which lists the tenants still behind and goes on (a tenant whose migration the dead runner left
 * half done is migrated again: Flyway's own lock and history make that safe). A runner that finds
 * it lost its claim starts nothing more. One tenant's failure is recorded and the others go on; a
 * tenant is marked current in the registry only after its migration succeeded, and until then its
 * requests get 503 {@code tenant-schema-behind} (see {@code CurrentTenant}), so this build's queries
 * never meet an old schema. Scheduling runs on one Vert.x context, so its bookkeeping needs no
 * locks; the migrations themselves run on worker threads.
 *
 * <p>States of this replica: idle → claiming → running → (released | lost) → idle. With
 * {@code upgrade-at-start}, an idle replica keeps trying to claim while tenants are behind its
 * version and nobody runs, so the newest build of a rolling update finishes the upgrade.
 */
@ApplicationScoped
public class FleetMigrations {

    private static final Logger LOG = Logger.getLogger(FleetMigrations.class);

    /** Where one tenant stands in the current run. */
    @Schema(name = "TenantMigrationState")
    public enum State { PENDING, RUNNING, UPGRADED, FAILED }

    @RegisterForReflection
    public record TenantProgress(String tenant, String server, State state, String error) {
    }

    /** The current (or last) run, as its runner last published it. */
    @RegisterForReflection
    @Schema(name = "MigrationProgress")
    public record Progress(int expectedVersion, boolean running, Instant startedAt, Instant finishedAt, int total,
                           int pending, int inProgress, int upgraded, int failed, int peakConcurrency,
                           int peakConcurrencyOnOneServer, List<TenantProgress> notUpgraded,
                           @Schema(description = "The replica running the fleet upgrade, or that ran the last one")
                           String runner) {
    }

    private final TenantMigrator migrator;
    private final TenantRepository repository;
    private final TenantDirectory directory;
    private final Pool registry;
    private final MigrationConfig config;
    private final Vertx vertx;
    private final FleetUpgradeClaim claim;
    private final ReplicaLeases leases;
    private final ObjectMapper json;
    private final Map<String, TenantProgress> progress = new ConcurrentHashMap<>();
    private final Deque<TenantRoute> queue = new ArrayDeque<>();
    private final Map<String, Integer> runningPerServer = new HashMap<>();
    private int runningTotal;
    private volatile int peakTotal;
    private volatile int peakOnOneServer;
    /** Claiming or running here; cleared when the run is released or lost. */
    private volatile boolean running;
    /** This replica's run lost its claim: it starts no more migrations. */
    private volatile boolean lost;
    /** A run for this build's version finished here, or nothing was behind: no more claiming at start. */
    private volatile boolean settled;
    private final AtomicBoolean ticking = new AtomicBoolean();
    private volatile Instant startedAt;
    private volatile Instant finishedAt;
    private Context context;
    private long timer = -1;

    public FleetMigrations(TenantMigrator migrator, TenantRepository repository, TenantDirectory directory,
                           Pool registry, MigrationConfig config, Vertx vertx, FleetUpgradeClaim claim,
                           ReplicaLeases leases, ObjectMapper json) {
        this.migrator = migrator;
        this.repository = repository;
        this.directory = directory;
        this.registry = registry;
        this.config = config;
        this.vertx = vertx;
        this.claim = claim;
        this.leases = leases;
        this.json = json;
    }

    void atStart(@Observes StartupEvent event) {
        settled = !config.upgradeAtStart();
        if (config.upgradeAtStart()) {
            start().subscribe().with(started -> { }, failure -> LOG.warnf("fleet upgrade could not start: %s", failure));
        }
        timer = vertx.setPeriodic(renewMillis(), id -> tick());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private long renewMillis() {
        return Math.max(100, config.claimTimeout().toMillis() / 5);
    }

    private String replica() {
        return leases.replicaId();
    }

    /**
     * Starts a run if this replica can take the fleet's claim (free, or stale: its runner died);
     * emits whether it did. Emits false, changing nothing, while a run goes on here or elsewhere.
     */
    public Uni<Boolean> start() {
        synchronized (this) {
            if (running) {
                return Uni.createFrom().item(false);
            }
            running = true;
            lost = false;
        }
        int expected = TenantMigrations.expectedVersion();
        Instant at = Instant.now();
        Progress first = new Progress(expected, true, at, null, 0, 0, 0, 0, 0, 0, 0, List.of(), replica());
        return claim.claim(replica(), expected, config.claimTimeout(), write(first))
                .onFailure().invoke(failure -> running = false)
                .invoke(claimed -> {
                    if (!claimed) {
                        running = false;
                        return;
                    }
                    begin(expected, at);
                });
    }

    private void begin(int expected, Instant at) {
        synchronized (this) {
            startedAt = at;
            finishedAt = null;
            progress.clear();
            peakTotal = 0;
            peakOnOneServer = 0;
        }
        RegistryContexts.runIsolated(vertx, () -> {
            context = Vertx.currentContext();
            Panache.withSession(() -> repository.list("schemaVersion < ?1", expected))
                    .subscribe().with(this::enqueue, failure -> {
                        LOG.warnf("fleet upgrade could not list tenants: %s", failure.toString());
                        finish();
                    });
        });
    }

    /**
     * Every claim-timeout/5: the runner renews its claim and publishes progress (and stops if the
     * claim was lost); an idle replica takes over a stale claim, or, with upgrade-at-start, a free
     * one while tenants are behind this build.
     */
    private void tick() {
        if (!ticking.compareAndSet(false, true)) {
            return;
        }
        Uni<?> step;
        if (running) {
            step = context == null ? Uni.createFrom().nullItem() : claim.renew(replica(), write(progress())).invoke(held -> {
                if (!held && running && !lost) {
                    lost = true;
                    LOG.warnf("replica %s lost the fleet upgrade's claim (not renewed within %s); starting no more"
                            + " tenant migrations", replica(), config.claimTimeout());
                    context.runOnContext(ignored -> {
                        queue.clear();
                        pump(); // finishes the run here once what is already running has ended
                    });
                }
            });
        } else {
            int expected = TenantMigrations.expectedVersion();
            step = claim.read(config.claimTimeout()).chain(holder -> {
                if (holder.stale()) {
                    LOG.infof("the fleet upgrade's runner %s stopped renewing its claim; replica %s takes over",
                            holder.runner(), replica());
                    return start();
                }
                if (settled || holder.runner() != null) {
                    return Uni.createFrom().nullItem();
                }
                return claim.behind(expected).chain(behind -> {
                    if (behind == 0) {
                        settled = true;
                        return Uni.createFrom().nullItem();
                    }
                    return start();
                });
            });
        }
        step.ifNoItem().after(config.claimTimeout()).fail()
                .subscribe().with(done -> ticking.set(false), failure -> {
                    ticking.set(false);
                    LOG.debugf("fleet upgrade claim check failed: %s", failure.toString());
                });
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
        for (var it = queue.iterator(); it.hasNext() && runningTotal < max && !lost; ) {
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

    private void finish() {
        synchronized (this) {
            if (!running || finishedAt != null) {
                return;
            }
            finishedAt = Instant.now();
        }
        LOG.infof("fleet upgrade finished: %s", counts());
        Progress last = progress();
        (lost ? Uni.createFrom().item(false) : claim.release(replica(), write(last)))
                .subscribe().with(released -> ended(), failure -> {
                    // The claim goes stale and another replica takes over: nothing is lost but time.
                    LOG.warnf("fleet upgrade could not release its claim: %s", failure.toString());
                    ended();
                });
    }

    private void ended() {
        if (!lost) {
            settled = true;
        }
        running = false;
    }

    private String write(Progress value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("progress does not serialize", e);
        }
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

    /** This replica's own view of its current or last run. */
    Progress progress() {
        Map<State, Integer> counts = counts();
        List<TenantProgress> notUpgraded = new ArrayList<>();
        progress.values().stream().filter(p -> p.state() != State.UPGRADED)
                .sorted(java.util.Comparator.comparing(TenantProgress::tenant)).limit(500).forEach(notUpgraded::add);
        return new Progress(TenantMigrations.expectedVersion(), running && finishedAt == null, startedAt, finishedAt,
                progress.size(), counts.getOrDefault(State.PENDING, 0), counts.getOrDefault(State.RUNNING, 0),
                counts.getOrDefault(State.UPGRADED, 0), counts.getOrDefault(State.FAILED, 0), peakTotal, peakOnOneServer,
                notUpgraded, startedAt == null ? null : replica());
    }

    /**
     * The fleet's current or last run as its runner published it in the registry, so every replica
     * answers the same; this replica's own view if the registry cannot be read or has no run yet.
     */
    public Uni<Progress> fleetProgress() {
        return claim.read(config.claimTimeout())
                .ifNoItem().after(config.claimTimeout()).fail()
                .map(holder -> {
                    if (holder.progressJson() == null) {
                        return progress();
                    }
                    try {
                        return json.readValue(holder.progressJson(), Progress.class);
                    } catch (JsonProcessingException e) {
                        return progress();
                    }
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.debugf("fleet upgrade progress unreadable from the registry: %s", failure.toString());
                    return progress();
                });
    }
}
