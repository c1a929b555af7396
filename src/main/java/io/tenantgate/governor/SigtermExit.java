package io.tenantgate.governor;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * SIGTERM (a Kubernetes pod deletion, {@code docker stop}) stops the application gracefully and
 * exits 0.
 *
 * <p>The JVM's own SIGTERM handling runs the shutdown hooks and then exits 143, which platforms and
 * process supervisors report as a failure although nothing failed. Here SIGTERM asks Quarkus to
 * exit with 0 instead; the stop itself is unchanged and in order: readiness DOWN while still serving
 * ({@code quarkus.shutdown.delay}), in-flight requests finish ({@code quarkus.shutdown.timeout}),
 * then {@link GovernorShutdown} drains and closes the tenant pools. A second
 * SIGTERM while stopping changes nothing; SIGKILL, as ever, ends it at once.
 *
 * <p>Only the packaged application installs the handler: dev mode and the test JVM keep theirs.
 */
@ApplicationScoped
public class SigtermExit {

    private static final Logger LOG = Logger.getLogger(SigtermExit.class);

    void onStart(@Observes StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        try {
            Signal.handle(new Signal("TERM"), signal -> {
                LOG.info("SIGTERM: turning not ready, draining, then exiting 0");
                Quarkus.asyncExit(0);
            });
        } catch (IllegalArgumentException e) {
            // -Xrs, or a platform without SIGTERM: the JVM's default handling stays (exit 143).
            LOG.warnf("SIGTERM handler not installed (%s); a SIGTERM will still stop gracefully, exiting 143",
                    e.getMessage());
        }
    }
}
