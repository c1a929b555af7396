package io.tenantgate.resilience;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Cuts work off after a timeout, on the caller's Vert.x context.
 *
 * <p>Mutiny's own {@code ifNoItem().after(..)} fires on a scheduler thread, and cancels the work
 * from there. Clients bound to the thread that opened them reject that: a Hibernate Reactive
 * session then fails to close (HR000069) and can keep its registry connection. A Vert.x timer set
 * on the caller's context fires on that context, so the timeout and the cancellation it causes run
 * where the work runs. Off a Vert.x thread it falls back to Mutiny's timer.
 */
public final class Deadlines {

    private Deadlines() {
    }

    public static <T> Uni<T> within(Vertx vertx, Uni<T> work, Duration timeout,
                                    Supplier<? extends Throwable> onTimeout) {
        return Uni.createFrom().deferred(() -> {
            if (Vertx.currentContext() == null) {
                return work.ifNoItem().after(timeout).failWith(onTimeout);
            }
            Uni<T> timer = Uni.createFrom().emitter(emitter -> {
                long id = vertx.setTimer(Math.max(1, timeout.toMillis()), fired -> emitter.fail(onTimeout.get()));
                emitter.onTermination(() -> vertx.cancelTimer(id));
            });
            // The first to end wins; the other is cancelled (the work, on this context's thread).
            return Uni.combine().any().of(work, timer);
        });
    }
}
