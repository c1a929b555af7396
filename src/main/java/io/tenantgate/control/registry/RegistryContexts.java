package io.tenantgate.control.registry;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs registry work that belongs to no request (background route refreshes, change-log
 * follow-ups) on a Vert.x context of its own. Hibernate Reactive binds its session to the
 * context, and Panache only accepts a duplicated context flagged safe, i.e. used by nothing else.
 */
public final class RegistryContexts {

    private RegistryContexts() {
    }

    public static void runIsolated(Vertx vertx, Runnable work) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> work.run());
    }
}
