package io.tenantgate.governor;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Graceful stop: no new tenant work is admitted, work already admitted finishes (up to
 * {@code tenantgate.pool.drain-timeout}), then every pool is closed.
 */
@ApplicationScoped
public class GovernorShutdown {

    private static final Logger LOG = Logger.getLogger(GovernorShutdown.class);

    private final TenantPools pools;
    private final PoolConfig config;

    public GovernorShutdown(TenantPools pools, PoolConfig config) {
        this.pools = pools;
        this.config = config;
    }

    /**
     * Runs on the thread that stops the application, never an event loop, so it may wait; the
     * event loops keep serving the admitted work meanwhile.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        pools.beginShutdown();
        long deadline = System.nanoTime() + config.drainTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
        while (!pools.drained() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!pools.drained()) {
            LOG.warnf("%d tenant pools still busy at shutdown; closing them anyway", pools.drainingPools());
        }
    }
}
