package io.tenantgate.control.health;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the registry answers, asked through the registry's existing connection pool (no extra
 * connection of its own) and bounded in time. A probe that has not come back yet is not repeated:
 * against a hung registry each new probe would hold one more pooled connection. While one is
 * outstanding, the registry counts as unreachable.
 */
@ApplicationScoped
public class RegistryProbe {

    private final Pool registry;
    private final HealthConfig config;
    private final AtomicBoolean inFlight = new AtomicBoolean();

    public RegistryProbe(Pool registry, HealthConfig config) {
        this.registry = registry;
        this.config = config;
    }

    public Uni<Boolean> reachable() {
        if (!inFlight.compareAndSet(false, true)) {
            return Uni.createFrom().item(false);
        }
        // Subscribed on its own, so the probe ends (and frees the flag) only when the registry
        // answers or fails, however long that takes; the caller waits at most the timeout.
        Uni<Boolean> probe = registry.query("SELECT 1").execute()
                .map(rows -> true)
                .onFailure().recoverWithItem(false)
                .onTermination().invoke(() -> inFlight.set(false))
                .memoize().indefinitely();
        probe.subscribe().with(ignored -> { }, ignored -> { });
        return probe.ifNoItem().after(config.registryTimeout()).recoverWithItem(false);
    }
}
