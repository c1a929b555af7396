package io.tenantgate.admin;

import io.tenantgate.governor.GovernorStats;
import io.tenantgate.health.HealthConfig;
import io.tenantgate.health.SaturationLevel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Turns a server's figures into warnings and plain recommendations for an operator. */
final class ServerAdvice {

    private final HealthConfig health;

    ServerAdvice(HealthConfig health) {
        this.health = health;
    }

    /** A server's budget view. {@code topTenants} are those holding most of its connections. */
    public record ServerView(String server, int open, int budget, int inUse, int idle, int waiting,
                             long saturationPercent, String level, long rejected, List<Holder> topTenants,
                             List<String> warnings, List<String> recommendations) {
    }

    public record Holder(String tenant, int open, int inUse, int waiting) {
    }

    ServerView of(GovernorStats.ServerStats server, List<GovernorStats.TenantStats> tenants) {
        List<GovernorStats.TenantStats> here = tenants.stream().filter(t -> t.server().equals(server.server()))
                .sorted(Comparator.comparingInt(GovernorStats.TenantStats::open).reversed()).toList();
        List<Holder> top = here.stream().limit(5).map(t -> new Holder(t.tenant(), t.open(), t.inUse(), t.waiting()))
                .toList();
        String level = SaturationLevel.of(server.saturation(), health).name();
        List<String> warnings = new ArrayList<>();
        List<String> advice = new ArrayList<>();
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
        if (server.rejected() > 0) {
            warnings.add(server.rejected() + " requests were refused (server-budget-exhausted) since start");
        }
        long open = here.stream().filter(t -> !"CLOSED".equals(t.breaker())).count();
        if (open > 0) {
            warnings.add(open + " tenant circuit breakers are not closed; check those tenants' databases");
        }
        return new ServerView(server.server(), server.open(), server.budget(), server.inUse(), server.idle(),
                server.waiting(), Math.round(server.saturation() * 100), level, server.rejected(), top, warnings, advice);
    }
}
