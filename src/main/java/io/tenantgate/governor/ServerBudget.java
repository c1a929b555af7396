package io.tenantgate.governor;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Permits for the physical connections this instance holds to one database server.
 *
 * <p>Invariant: {@code granted <= limit} at every moment; a permit is granted before a connection
 * is opened and given back only after the connection is gone. Waiters are served first come, first
 * served, and every wait ends: granted, or failed with
 * {@link GovernorRejection.Reason#SERVER_BUDGET_EXHAUSTED} when its timer fires. The lock guards a
 * counter and a queue only; no I/O and no callback runs while it is held.
 */
public final class ServerBudget {

    private final String server;
    private final int limit;
    private final Vertx vertx;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int granted;
    private long rejected;

    private static final class Waiter {
        final Promise<Void> promise = Promise.promise();
        final Context context;
        long timer;

        Waiter(Context context) {
            this.context = context;
        }
    }

    ServerBudget(String server, int limit, Vertx vertx) {
        if (limit < 0) {
            throw new IllegalArgumentException("budget of " + server + " must not be negative");
        }
        this.server = server;
        this.limit = limit;
        this.vertx = vertx;
    }

    public String server() {
        return server;
    }

    public int limit() {
        return limit;
    }

    public synchronized int granted() {
        return granted;
    }

    public synchronized int waiting() {
        return waiters.size();
    }

    public synchronized long rejected() {
        return rejected;
    }

    /**
     * A permit, now or within {@code timeoutMillis}. The future completes on the caller's Vert.x
     * context when there is one, so the connect that follows runs where Vert.x expects it.
     */
    public Future<Void> acquire(long timeoutMillis) {
        Waiter waiter;
        synchronized (this) {
            if (waiters.isEmpty() && granted < limit) {
                granted++;
                return Future.succeededFuture();
            }
            if (limit == 0 || timeoutMillis <= 0) {
                rejected++;
                return Future.failedFuture(exhausted());
            }
            waiter = new Waiter(Vertx.currentContext());
            waiters.add(waiter);
        }
        waiter.timer = vertx.setTimer(timeoutMillis, id -> timeOut(waiter));
        return waiter.promise.future();
    }

    private void timeOut(Waiter waiter) {
        synchronized (this) {
            if (!waiters.remove(waiter)) {
                return; // granted in the meantime
            }
            rejected++;
        }
        complete(waiter, false);
    }

    /** Gives permits back and hands them to waiters in arrival order. */
    public void release(int permits) {
        if (permits <= 0) {
            return;
        }
        List<Waiter> granting = new ArrayList<>();
        synchronized (this) {
            granted -= permits;
            if (granted < 0) {
                granted = 0;
                throw new IllegalStateException("released more permits than granted for " + server);
            }
            while (granted < limit && !waiters.isEmpty()) {
                granted++;
                granting.add(waiters.poll());
            }
        }
        for (Waiter waiter : granting) {
            vertx.cancelTimer(waiter.timer);
            complete(waiter, true);
        }
    }

    private void complete(Waiter waiter, boolean granted) {
        Runnable done = granted ? () -> waiter.promise.complete() : () -> waiter.promise.fail(exhausted());
        if (waiter.context != null) {
            waiter.context.runOnContext(v -> done.run());
        } else {
            done.run();
        }
    }

    private GovernorRejection exhausted() {
        return new GovernorRejection(GovernorRejection.Reason.SERVER_BUDGET_EXHAUSTED,
                "the connection budget of this tenant's database server is in use; retry shortly");
    }
}
