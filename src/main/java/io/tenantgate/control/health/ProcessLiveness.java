package io.tenantgate.control.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness is about this process only and never touches a database: a database outage must not
 * make Kubernetes restart healthy pods, which would only add reconnect storms to the outage.
 */
@Liveness
@ApplicationScoped
public class ProcessLiveness implements AsyncHealthCheck {

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom().item(HealthCheckResponse.named("tenantgate").up().build());
    }
}
