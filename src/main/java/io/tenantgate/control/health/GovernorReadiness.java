package io.tenantgate.control.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.tenantgate.control.registry.TenantDirectory;
import io.tenantgate.governor.GovernorStats;
import io.tenantgate.governor.ReplicaLeases;
import io.tenantgate.governor.TenantPools;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.HashMap;
import java.util.Map;

/**
 * Readiness as a Kubernetes operator expects it: whether this replica should get traffic.
 *
 * <ul>
 *   <li>DOWN while shutting down, so traffic moves away before the drain.</li>
 *   <li>The registry being unreachable alone does not make it DOWN: it hits every replica alike,
 *       and while cached routes serve known tenants, taking every replica out would turn a
 *       degradation into an outage. It is reported {@code DEGRADED} in the data. Only with no
 *       servable route is the replica DOWN.</li>
 *   <li>Per database server: open connections against the budget, in use, waiting, saturation and
 *       its level ({@code OK}, {@code WARN}, {@code CRITICAL}), and open breakers. CRITICAL turns
 *       readiness DOWN only if {@code tenantgate.health.critical-saturation-not-ready} is set.</li>
 * </ul>
 * Asynchronous and bounded: the registry probe waits at most {@code registry-timeout}, and at most
 * one probe is ever in flight ({@link RegistryProbe}).
 */
@Readiness
@ApplicationScoped
public class GovernorReadiness implements AsyncHealthCheck {

    private final TenantPools pools;
    private final ReplicaLeases leases;
    private final TenantDirectory directory;
    private final RegistryProbe registry;
    private final HealthConfig config;

    public GovernorReadiness(TenantPools pools, ReplicaLeases leases, TenantDirectory directory,
                             RegistryProbe registry, HealthConfig config) {
        this.pools = pools;
        this.leases = leases;
        this.directory = directory;
        this.registry = registry;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return registry.reachable().map(this::respond);
    }

    private HealthCheckResponse respond(boolean registryUp) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("tenantgate");
        boolean up = pools.isAccepting();
        response.withData("accepting", pools.isAccepting());

        int servable = directory.servableRoutes();
        response.withData("registry", registryUp ? "UP" : servable > 0 ? "DEGRADED" : "DOWN");
        response.withData("cachedRoutes", servable);
        up &= registryUp || servable > 0;

        ReplicaLeases.View lease = leases.view();
        response.withData("replica", lease.replicaId())
                .withData("lease", lease.state())
                .withData("liveReplicas", lease.liveReplicas());

        GovernorStats stats = pools.snapshot();
        Map<String, Integer> openBreakers = new HashMap<>();
        stats.tenants().forEach(t -> openBreakers.merge(t.server(), "CLOSED".equals(t.breaker()) ? 0 : 1, Integer::sum));
        for (GovernorStats.ServerStats server : stats.servers()) {
            SaturationLevel level = SaturationLevel.of(server.saturation(), config);
            String prefix = "server " + server.server() + " ";
            response.withData(prefix + "open", server.open())
                    .withData(prefix + "budget", server.budget())
                    .withData(prefix + "inUse", server.inUse())
                    .withData(prefix + "waiting", server.waiting())
                    .withData(prefix + "saturationPercent", Math.round(server.saturation() * 100))
                    .withData(prefix + "level", level.name())
                    .withData(prefix + "openBreakers", openBreakers.getOrDefault(server.server(), 0));
            ReplicaLeases.ServerShare share = lease.servers().get(server.server());
            if (share != null) {
                response.withData(prefix + "share", share.share())
                        .withData(prefix + "floor", share.floor())
                        .withData(prefix + "fleetBudget", share.budget())
                        .withData(prefix + "publishedShares", share.published());
            }
            if (level == SaturationLevel.CRITICAL && config.criticalSaturationNotReady()) {
                up = false;
            }
        }
        return response.status(up).build();
    }
}
