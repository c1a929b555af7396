package io.tenantgate.governor;

import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Where the governor hands an outcome back: on the Vert.x context of the caller (a request's
 * duplicated context, where its registry session and MDC live), not on the context of the
 * connection that produced it. Already on it, the outcome is emitted at once; otherwise it is
 * scheduled there. A caller without a context gets it on the current thread.
 */
final class CallerContext {

    private CallerContext() {
    }

    /** Completes the emitter with {@code item}, or fails it with {@code failure} if that is not null, on {@code caller}. */
    static <T> void emit(Context caller, UniEmitter<? super T> emitter, T item, Throwable failure) {
        if (caller == null || Vertx.currentContext() == caller) {
            complete(emitter, item, failure);
        } else {
            caller.runOnContext(v -> complete(emitter, item, failure));
        }
    }

    private static <T> void complete(UniEmitter<? super T> emitter, T item, Throwable failure) {
        if (failure == null) {
            emitter.complete(item);
        } else {
            emitter.fail(failure);
        }
    }
}
