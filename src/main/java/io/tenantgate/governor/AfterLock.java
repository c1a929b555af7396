package io.tenantgate.governor;

import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Work decided under {@link ServerBudget}'s lock (connects, closes, moves, timers, callbacks, log
 * lines), started once the lock is released, in the order decided: no I/O and no foreign code runs
 * under the lock. One failing action does not keep the others from running.
 */
final class AfterLock {

    private static final Logger LOG = Logger.getLogger(ServerBudget.class);

    private List<Runnable> runnables;

    void add(Runnable runnable) {
        if (runnables == null) {
            runnables = new ArrayList<>(2);
        }
        runnables.add(runnable);
    }

    void run() {
        if (runnables == null) {
            return;
        }
        for (Runnable runnable : runnables) {
            try {
                runnable.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "governor action failed");
            }
        }
    }
}
