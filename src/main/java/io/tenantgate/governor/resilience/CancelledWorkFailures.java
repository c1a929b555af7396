package io.tenantgate.governor.resilience;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tenantgate.platform.failure.DatabaseFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * When a call passes its deadline, its {@code Uni} is cancelled and its connection's socket closed
 * (see {@code GovernedPool}); the statement that was running then fails with a lost connection,
 * to a subscriber that is gone. Mutiny reports such dropped failures as errors. This one is the
 * expected end of an abandoned statement, so it is logged at debug; every other dropped failure
 * is still logged as an error.
 */
@ApplicationScoped
class CancelledWorkFailures {

    private static final Logger LOG = Logger.getLogger(CancelledWorkFailures.class);

    void install(@Observes StartupEvent started) {
        Infrastructure.setDroppedExceptionHandler(failure -> {
            if (DatabaseFailures.isConnectionLoss(failure)) {
                LOG.debugf("statement of an abandoned connection ended: %s", failure.getMessage());
            } else {
                LOG.error("Mutiny had to drop the following exception", failure);
            }
        });
    }
}
