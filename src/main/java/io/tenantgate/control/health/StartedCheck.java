package io.tenantgate.control.health;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * Started once the application finished starting: configuration validated (a missing or invalid
 * setting fails start-up, naming it) and the registry migrated (Flyway runs before this event).
 */
@Startup
@ApplicationScoped
public class StartedCheck implements AsyncHealthCheck {

    private volatile boolean started;

    void onStart(@Observes StartupEvent event) {
        started = true;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom().item(
                HealthCheckResponse.named("tenantgate").status(started).withData("registryMigrated", started).build());
    }
}
