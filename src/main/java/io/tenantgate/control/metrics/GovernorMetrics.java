package io.tenantgate.control.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.tenantgate.governor.GovernorStats;
import io.tenantgate.governor.ReplicaLeases;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.resilience.TenantGuards;
import io.tenantgate.platform.failure.GovernorRejection;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Publishes the governor's state as Prometheus meters, with cardinality bounded by construction.
 *
 * <p>Per database server (few): open, in use, idle, connects waiting for budget, budget, budget
 * use, open breakers. Per tenant only the {@code top-tenants} busiest plus {@code other}: a
 * {@link MultiGauge} whose rows are replaced on every refresh, so tenants that leave the top or are
 * evicted leave no series behind. Server gauges read one snapshot at most a second old (one per
 * scrape, not one per gauge); tenant rows are recomputed on a Vert.x timer. Counters for retries and breakers read the guards' own counters.
 * Vert.x's built-in pool metrics would add series per pool name that are never removed; every
 * tenant pool therefore carries one shared name (see {@code TenantPoolOptions}).
 */
@ApplicationScoped
public class GovernorMetrics {

    private final MeterRegistry registry;
    private final TenantPools pools;
    private final TenantGuards guards;
    private final ReplicaLeases leases;
    private final MetricsConfig config;
    private final Vertx vertx;
    private final Set<String> servers = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> usesAtLastRefresh = new HashMap<>();
    private volatile GovernorStats snapshot = new GovernorStats(List.of(), List.of());
    private volatile long snapshotNanos;
    private static final long FRESH_NANOS = 1_000_000_000L;
    private MultiGauge tenantInUse;
    private MultiGauge tenantOpen;
    private MultiGauge tenantWaiting;
    private MultiGauge tenantRequests;
    private long timer = -1;

    public GovernorMetrics(MeterRegistry registry, TenantPools pools, TenantGuards guards, ReplicaLeases leases,
                           MetricsConfig config, Vertx vertx) {
        this.registry = registry;
        this.leases = leases;
        this.pools = pools;
        this.guards = guards;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        TenantGuards.Counters counters = guards.counters();
        FunctionCounter.builder("tenantgate.retries", counters, TenantGuards.Counters::retries)
                .description("Tenant database calls retried after a transient failure").register(registry);
        FunctionCounter.builder("tenantgate.breaker.opened", counters, TenantGuards.Counters::breakersOpened)
                .description("Times a tenant circuit breaker opened").register(registry);
        FunctionCounter.builder("tenantgate.breaker.prevented", counters, TenantGuards.Counters::prevented)
                .description("Calls failed fast by an open breaker, never reaching the database").register(registry);
        for (CircuitBreakerState to : CircuitBreakerState.values()) {
            FunctionCounter.builder("tenantgate.breaker.transitions", counters, c -> c.transitions(to))
                    .description("Tenant circuit breaker state changes, by the state entered")
                    .tag("to", to.name()).register(registry);
        }
        Gauge.builder("tenantgate.replicas.live", leases, l -> l.view().liveReplicas())
                .description("Replicas with a live lease in the registry, this one included (1 with leases off)")
                .register(registry);
        Gauge.builder("tenantgate.lease.renewed.age", leases, l -> l.view().renewedMillisAgo() / 1000.0)
                .description("Seconds since this replica's last successful lease renewal (-0.001: none yet or leases off)")
                .baseUnit("seconds").register(registry);
        Gauge.builder("tenantgate.pools.live", pools, TenantPools::livePools)
                .description("Tenant pools open").register(registry);
        Gauge.builder("tenantgate.pools.draining", pools, TenantPools::drainingPools)
                .description("Retired tenant pools finishing their work").register(registry);
        tenantInUse = MultiGauge.builder("tenantgate.tenant.connections.in_use")
                .description("Connections in use by the busiest tenants, the rest under tenant=other").register(registry);
        tenantOpen = MultiGauge.builder("tenantgate.tenant.connections.open")
                .description("Connections open for the busiest tenants, the rest under tenant=other").register(registry);
        tenantWaiting = MultiGauge.builder("tenantgate.tenant.requests.waiting")
                .description("Requests waiting for a connection, busiest tenants, the rest under tenant=other")
                .register(registry);
        tenantRequests = MultiGauge.builder("tenantgate.tenant.requests.recent")
                .description("Requests per tenant since the previous refresh, busiest tenants and other")
                .register(registry);
        refresh();
        timer = vertx.setPeriodic(Math.max(100, config.refresh().toMillis()), id -> refresh());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Takes a snapshot, registers gauges for servers seen for the first time, replaces tenant rows. */
    void refresh() {
        GovernorStats stats = pools.snapshot();
        snapshot = stats;
        snapshotNanos = System.nanoTime();
        Set<String> known = new java.util.HashSet<>();
        for (GovernorStats.ServerStats server : stats.servers()) {
            known.add(server.server());
            if (servers.add(server.server())) {
                registerServer(server.server());
            }
        }
        for (String server : List.copyOf(servers)) {
            if (!known.contains(server) && servers.remove(server)) {
                forgetServer(server);
            }
        }
        publishTenants(stats.tenants());
    }

    /** The governor's state, taken again if the last look is over a second old. */
    private GovernorStats fresh() {
        long now = System.nanoTime();
        if (now - snapshotNanos > FRESH_NANOS) {
            snapshot = pools.snapshot();
            snapshotNanos = now;
        }
        return snapshot;
    }

    private void registerServer(String server) {
        Tags tags = Tags.of("server", server);
        serverGauge("tenantgate.server.connections.open", "Connections open to the server", tags, server,
                GovernorStats.ServerStats::open);
        serverGauge("tenantgate.server.connections.in_use", "Connections in use", tags, server,
                GovernorStats.ServerStats::inUse);
        serverGauge("tenantgate.server.connections.idle", "Connections idle", tags, server,
                GovernorStats.ServerStats::idle);
        serverGauge("tenantgate.server.connects.waiting", "Connects waiting for the server's budget", tags, server,
                GovernorStats.ServerStats::waiting);
        serverGauge("tenantgate.server.budget", "This instance's share of the server's connection budget", tags,
                server, GovernorStats.ServerStats::budget);
        leaseGauge("tenantgate.server.budget.fleet", "The budget of all replicas together", tags, server,
                ReplicaLeases.ServerShare::budget);
        leaseGauge("tenantgate.server.budget.published", "Sum of the shares published by live replicas", tags, server,
                ReplicaLeases.ServerShare::published);
        leaseGauge("tenantgate.server.budget.floor", "This replica's guaranteed minimum of the budget", tags, server,
                ReplicaLeases.ServerShare::floor);
        serverGauge("tenantgate.server.budget.use", "Open connections / budget (1 = full)", tags, server,
                GovernorStats.ServerStats::saturation);
        Gauge.builder("tenantgate.server.breakers.open", this, m -> m.fresh().tenants().stream()
                        .filter(t -> t.server().equals(server) && !"CLOSED".equals(t.breaker())).count())
                .description("Tenant circuit breakers not closed, per server").tags(tags).register(registry);
        FunctionCounter.builder("tenantgate.server.budget.rejected", this, m -> value(m, server,
                        GovernorStats.ServerStats::rejected))
                .description("Requests answered 503 server-budget-exhausted")
                .tags(tags).register(registry);
        for (GovernorRejection.Reason reason : GovernorRejection.Reason.values()) {
            if (reason == GovernorRejection.Reason.SHUTTING_DOWN) {
                continue;
            }
            FunctionCounter.builder("tenantgate.server.refusals", this, m -> value(m, server,
                            s -> s.refusals().getOrDefault(reason.slug, 0L)))
                    .description("Requests answered 503 with this server's refusal, by problem type")
                    .tags(tags.and("reason", reason.slug)).register(registry);
        }
        serverGauge("tenantgate.server.stalled", "1 while the server is found stalled (its tenants fail fast)", tags,
                server, s -> "STALLED".equals(s.health()) ? 1 : 0);
        FunctionCounter.builder("tenantgate.server.stalls", this, m -> value(m, server, GovernorStats.ServerStats::stalls))
                .description("Times the server was found stalled").tags(tags).register(registry);
        // How connections change tenant when the budget binds: moved with changeUser (MySQL), or
        // closed and reconnected for the next tenant (PostgreSQL, or a failed move).
        FunctionCounter.builder("tenantgate.server.handovers", this, m -> value(m, server, GovernorStats.ServerStats::moved))
                .description("Connections handed to another tenant of the server").tags(tags.and("kind", "moved"))
                .register(registry);
        FunctionCounter.builder("tenantgate.server.handovers", this, m -> value(m, server,
                        GovernorStats.ServerStats::reconnected))
                .description("Connections handed to another tenant of the server").tags(tags.and("kind", "reconnected"))
                .register(registry);
        // Connects per second is the cost of handing budget between tenants: a rate far above the
        // budget's turnover means connections churn instead of serving.
        FunctionCounter.builder("tenantgate.server.connects", pools, p -> p.connectAttempts(server))
                .description("Physical connects to the server (each one took a budget permit)")
                .tags(tags).register(registry);
    }

    /**
     * The governor forgot a server nothing uses any more (see {@code ServerBudgets#forgetUnused}):
     * every series tagged with it goes too (gauges, counters, and the governor's per-server timers),
     * so probing hosts or moving tenants never grows the scrape.
     */
    private void forgetServer(String server) {
        List<io.micrometer.core.instrument.Meter> gone = registry.getMeters().stream()
                .filter(meter -> server.equals(meter.getId().getTag("server"))).toList();
        gone.forEach(registry::remove);
    }

    /** A gauge of the lease protocol's view of a server (the configured budget with leases off). */
    private void leaseGauge(String name, String description, Tags tags, String server,
                            ToDoubleFunction<ReplicaLeases.ServerShare> value) {
        Gauge.builder(name, this, m -> {
            ReplicaLeases.ServerShare share = m.leases.view().servers().get(server);
            return share == null ? value(m, server, GovernorStats.ServerStats::budget) : value.applyAsDouble(share);
        }).description(description).tags(tags).register(registry);
    }

    private void serverGauge(String name, String description, Tags tags, String server,
                             ToDoubleFunction<GovernorStats.ServerStats> value) {
        Gauge.builder(name, this, m -> value(m, server, value)).description(description).tags(tags).register(registry);
    }

    private static double value(GovernorMetrics metrics, String server, ToDoubleFunction<GovernorStats.ServerStats> f) {
        for (GovernorStats.ServerStats s : metrics.fresh().servers()) {
            if (s.server().equals(server)) {
                return f.applyAsDouble(s);
            }
        }
        return 0;
    }

    private void publishTenants(List<GovernorStats.TenantStats> tenants) {
        Map<String, Long> recent = new HashMap<>();
        for (GovernorStats.TenantStats t : tenants) {
            long before = usesAtLastRefresh.getOrDefault(t.tenant(), 0L);
            recent.put(t.tenant(), Math.max(0, t.uses() - before));
        }
        usesAtLastRefresh.clear();
        tenants.forEach(t -> usesAtLastRefresh.put(t.tenant(), t.uses()));

        List<GovernorStats.TenantStats> ranked = new ArrayList<>(tenants);
        ranked.sort(Comparator.<GovernorStats.TenantStats>comparingLong(t -> recent.get(t.tenant()))
                .thenComparingInt(GovernorStats.TenantStats::inUse).reversed());
        int top = Math.max(0, config.topTenants());
        List<GovernorStats.TenantStats> named = ranked.subList(0, Math.min(top, ranked.size()));
        List<GovernorStats.TenantStats> rest = ranked.subList(named.size(), ranked.size());

        tenantInUse.register(rows(named, rest, GovernorStats.TenantStats::inUse), true);
        tenantOpen.register(rows(named, rest, GovernorStats.TenantStats::open), true);
        tenantWaiting.register(rows(named, rest, GovernorStats.TenantStats::waiting), true);
        tenantRequests.register(rows(named, rest, t -> recent.get(t.tenant())), true);
    }

    private static List<MultiGauge.Row<?>> rows(List<GovernorStats.TenantStats> named,
                                                List<GovernorStats.TenantStats> rest,
                                                ToDoubleFunction<GovernorStats.TenantStats> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>(named.size() + 1);
        for (GovernorStats.TenantStats t : named) {
            rows.add(MultiGauge.Row.of(Tags.of("tenant", t.tenant(), "server", t.server()), value.applyAsDouble(t)));
        }
        if (!rest.isEmpty()) {
            rows.add(MultiGauge.Row.of(Tags.of("tenant", "other", "server", "all"),
                    rest.stream().mapToDouble(value).sum()));
        }
        return rows;
    }
}
