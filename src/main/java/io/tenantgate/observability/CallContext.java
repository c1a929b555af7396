package io.tenantgate.observability;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.MDC;

/**
 * Who a piece of work is for: the request id, the route and the tenant, kept in the request's
 * Vert.x (duplicated) context, so log lines and database work on any thread that continues the
 * request can name them. Also put in the logging MDC, which Quarkus keeps per Vert.x context, so
 * every log line of the request carries them (JSON logs in prod).
 */
public final class CallContext {

    static final String REQUEST_ID = "requestId";
    static final String ROUTE = "route";
    static final String TENANT = "tenant";

    private CallContext() {
    }

    static void put(String key, String value) {
        Context context = Vertx.currentContext();
        if (context != null) {
            context.putLocal(key, value);
        }
        MDC.put(key, value);
    }

    /** Records the caller's tenant once the token has named it. */
    public static void tenant(String key) {
        put(TENANT, key);
    }

    public static String requestId() {
        return get(REQUEST_ID);
    }

    public static String route() {
        return get(ROUTE);
    }

    private static String get(String key) {
        Context context = Vertx.currentContext();
        Object value = context == null ? null : context.getLocal(key);
        return value == null ? "-" : value.toString();
    }
}
