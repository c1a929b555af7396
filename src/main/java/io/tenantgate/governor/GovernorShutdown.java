package io.tenantgate.governor;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Graceful stop: no new tenant work is admitted, work already admitted finishes, then every pool
 * is closed, and then this replica's lease is deleted (its shares published as zero).
 *
 * <p>Bounded: Quarkus first waits up to {@code quarkus.shutdown.timeout} for in-flight HTTP
 * requests (which is where almost all tenant work lives), and only then fires {@link ShutdownEvent}.
 * The drain here gets what is left of {@code tenantgate.pool.drain-timeout} counted from the start
 * of that HTTP phase (the end of {@code quarkus.shutdown.delay}), plus one second for the pools to
 * close, so a stop never takes longer than delay + max(HTTP timeout, drain timeout) + 1 s. Without
 * a delay (dev, tests) the phase start is unknown and the drain gets its whole timeout from now.
 */
@ApplicationScoped
public class GovernorShutdown {

    private static final Logger LOG = Logger.getLogger(GovernorShutdown.class);
    private static final long CLOSE_ALLOWANCE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final TenantPools pools;
    private final ReplicaLeases leases;
    private final PoolConfig config;
    private final Duration delay;
    /** When the HTTP phase of the stop is expected to begin; 0 until a delayed stop starts. */
    private volatile long httpPhaseStartNanos;

    public GovernorShutdown(TenantPools pools, ReplicaLeases leases, PoolConfig config,
                            @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay) {
        this.pools = pools;
        this.leases = leases;
        this.config = config;
        this.delay = delay.orElse(Duration.ZERO);
    }

    /** Fired when a stop with {@code quarkus.shutdown.delay} begins (readiness turns DOWN now). */
    void onStopRequested(@Observes ShutdownDelayInitiatedEvent event) {
        httpPhaseStartNanos = System.nanoTime() + delay.toNanos();
    }

    /**
     * Runs on the thread that stops the application, never an event loop, so it may wait; the
     * event loops keep serving the admitted work meanwhile.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        pools.beginShutdown();
        long now = System.nanoTime();
        long phaseStart = httpPhaseStartNanos == 0 ? now : Math.min(now, httpPhaseStartNanos);
        long deadline = Math.max(now, phaseStart + config.drainTimeout().toNanos()) + CLOSE_ALLOWANCE_NANOS;
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
        // Zero is published once the connections are gone, so the other replicas may grow at once.
        leases.release(CLOSE_ALLOWANCE_NANOS);
    }
}
