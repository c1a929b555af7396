package io.tenantgate.governor.resilience;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * {@code work}, failed with {@code onTimeout} if it has not ended after {@code timeout}. One
     * emitter owns the timer and the subscription to the work: whichever ends first cancels the
     * other, and nothing is thrown to do it (a race of two {@code Uni}s cancels its loser through
     * exceptions).
     */
    public static <T> Uni<T> within(Vertx vertx, Uni<T> work, Duration timeout,
                                    Supplier<? extends Throwable> onTimeout) {
        return Uni.createFrom().emitter(emitter -> {
            if (Vertx.currentContext() == null) {
                Cancellable running = work.ifNoItem().after(timeout).failWith(onTimeout).subscribe()
                        .with(emitter::complete, emitter::fail);
                emitter.onTermination(running::cancel);
                return;
            }
            AtomicBoolean ended = new AtomicBoolean();
            AtomicReference<Cancellable> running = new AtomicReference<>();
            long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), fired -> {
                if (ended.compareAndSet(false, true)) {
                    Cancellable subscription = running.get();
                    if (subscription != null) {
                        subscription.cancel(); // the work, on this context's thread
                    }
                    emitter.fail(onTimeout.get());
                }
            });
            emitter.onTermination(() -> {
                if (ended.compareAndSet(false, true)) { // the caller cancelled
                    vertx.cancelTimer(timer);
                    Cancellable subscription = running.get();
                    if (subscription != null) {
                        subscription.cancel();
                    }
                }
            });
            running.set(work.subscribe().with(item -> {
                if (ended.compareAndSet(false, true)) {
                    vertx.cancelTimer(timer);
                    emitter.complete(item);
                }
            }, failure -> {
                if (ended.compareAndSet(false, true)) {
                    vertx.cancelTimer(timer);
                    emitter.fail(failure);
                }
            }));
            if (ended.get()) {
                running.get().cancel(); // timed out or cancelled while subscribing; a no-op if it ended
            }
        });
    }
}
