package io.tenantgate.platform.observability;

import io.opentelemetry.api.trace.Span;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.MDC;

/**
 * Who a piece of work is for: the request id, the route, the tenant and its pool. Kept in three
 * places, each for its reader:
 * <ul>
 *   <li>the request's Vert.x duplicated context, so database work continuing the request on any
 *       thread can name them (a root context is shared by unrelated work, so nothing is kept
 *       there: work off a request, like start-up seeding, is simply unnamed);</li>
 *   <li>the logging MDC, which Quarkus keeps per Vert.x context, so every log line of the request
 *       carries them (JSON fields in prod);</li>
 *   <li>the request's current trace span, from which {@link TenantSpanAttributes} copies them onto
 *       the database spans the SQL clients start.</li>
 * </ul>
 */
public final class CallContext {

    static final String REQUEST_ID = "requestId";
    static final String ROUTE = "route";
    static final String TENANT = "tenant";
    static final String POOL = "pool";

    private CallContext() {
    }

    static void put(String key, String value) {
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            return;
        }
        context.putLocal(key, value);
        MDC.put(key, value);
        Span.current().setAttribute("tenantgate." + key, value);
    }

    /** Records the caller's tenant once the token has named it. */
    public static void tenant(String key) {
        put(TENANT, key);
    }

    /** Records which tenant pool the request's database work runs on ({@code tenant@host:port}). */
    public static void pool(String tenant, String server) {
        put(POOL, tenant + "@" + server);
    }

    public static String requestId() {
        return get(REQUEST_ID);
    }

    public static String route() {
        return get(ROUTE);
    }

    private static String get(String key) {
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            return "-";
        }
        Object value = context.getLocal(key);
        return value == null ? "-" : value.toString();
    }
}
