package io.tenantgate.control.admin;

import io.tenantgate.control.health.HealthConfig;
import io.tenantgate.control.health.SaturationLevel;
import io.tenantgate.governor.GovernorStats;
import io.tenantgate.governor.ReplicaLeases;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Turns a server's figures into warnings and plain recommendations for an operator. */
final class ServerAdvice {

    private final HealthConfig health;

    ServerAdvice(HealthConfig health) {
        this.health = health;
    }

    /**
     * A server's budget view. {@code budget} is the limit this replica applies now;
     * {@code lease} how the budget of all replicas is shared (null with leases off).
     * {@code topTenants} are those holding most of its connections.
     */
    public record ServerView(String server, int open, int budget, int inUse, int idle, int waiting,
                             long saturationPercent, String level, String health, long stalls, long rejected,
                             Map<String, Long> refusals, List<Holder> topTenants, ReplicaLeases.ServerShare lease,
                             List<String> warnings, List<String> recommendations) {
    }

    @Schema(name = "ConnectionHolder")
    public record Holder(String tenant, int open, int inUse, int waiting) {
    }

    /** What each refusal says about the server, for an operator reading the warnings. */
    private static String cause(String type) {
        return switch (type) {
            case "server-budget-exhausted" -> "the server's budget was in use by other tenants; raise it if the"
                    + " database allows, or spread tenants over more servers";
            case "acquire-timeout" -> "a tenant's own connections stayed busy; its queries are slow or its pool small";
            case "tenant-queue-full" -> "a tenant sent more concurrent requests than its queue holds";
            case "tenant-database-stalled" -> "the server stopped answering";
            default -> "overload";
        };
    }

    ServerView of(GovernorStats.ServerStats server, List<GovernorStats.TenantStats> tenants, ReplicaLeases.View leases) {
        List<GovernorStats.TenantStats> here = tenants.stream().filter(t -> t.server().equals(server.server()))
                .sorted(Comparator.comparingInt(GovernorStats.TenantStats::open).reversed()).toList();
        List<Holder> top = here.stream().limit(5).map(t -> new Holder(t.tenant(), t.open(), t.inUse(), t.waiting()))
                .toList();
        String level = SaturationLevel.of(server.saturation(), health).name();
        List<String> warnings = new ArrayList<>();
        List<String> advice = new ArrayList<>();
        ReplicaLeases.ServerShare lease = leases.servers().get(server.server());
        if (lease != null && lease.inForce() < lease.share()) {
            warnings.add("this replica has not renewed its lease for " + leases.renewedMillisAgo() + " ms: it uses "
                    + lease.inForce() + " of its share of " + lease.share() + " until it renews (is the registry reachable?)");
        }
        if (!"OK".equals(level)) {
            warnings.add(String.format("%d of %d budgeted connections open (%d%%)", server.open(), server.budget(),
                    Math.round(server.saturation() * 100)));
            if (!top.isEmpty()) {
                Holder first = top.getFirst();
                if (first.open() * 2 >= server.open()) {
                    advice.add("tenant " + first.tenant() + " holds " + first.open() + " of " + server.open()
                            + " connections; lower its max pool size or move it to another server");
                }
            }
            advice.add("raise tenantgate.budget.servers.\"" + server.server()
                    + "\" if the database's max_connections allows it, or add a database server");
        }
        if (server.waiting() > 0) {
            warnings.add(server.waiting() + " connects are waiting for this server's budget");
        }
        if (!"HEALTHY".equals(server.health())) {
            warnings.add("STALLED".equals(server.health())
                    ? "the server stopped answering (calls in flight got no reply, nor did a probe); its tenants are"
                    + " answered tenant-database-stalled until it answers again"
                    : "calls in flight got no reply for the stall threshold; a probe is deciding whether the server stalled");
            advice.add("check the database server's host: a frozen process, a full disk, a network partition");
        }
        server.refusals().forEach((type, count) -> {
            if (count > 0) {
                warnings.add(count + " requests were answered " + type + " since start (" + cause(type) + ")");
            }
        });
        List<GovernorStats.TenantStats> sick = here.stream().filter(t -> !"CLOSED".equals(t.breaker())).toList();
        if (!sick.isEmpty()) {
            String named = sick.stream().limit(5).map(t -> t.tenant() + " (" + (t.lastFailure() == null
                    ? "no failure recorded" : t.lastFailure()) + ")").collect(Collectors.joining(", "));
            warnings.add(sick.size() + " tenant circuit breakers are not closed: " + named
                    + (sick.size() > 5 ? ", ..." : ""));
            advice.add("check those tenants' databases for the failures named");
        }
        return new ServerView(server.server(), server.open(), server.budget(), server.inUse(), server.idle(),
                server.waiting(), Math.round(server.saturation() * 100), level, server.health(), server.stalls(),
                server.rejected(), server.refusals(), top, lease, warnings, advice);
    }
}
