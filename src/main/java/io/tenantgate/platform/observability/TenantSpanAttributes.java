package io.tenantgate.platform.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Puts tenant, route and pool on every database span the Vert.x SQL clients create, so a trace
 * tells which tenant's pool a statement ran on. The client starts its span on the connection's
 * own Vert.x context, which knows nothing of the request; the values are copied from the parent
 * span, the request's, where {@link CallContext} put them.
 */
@ApplicationScoped
public class TenantSpanAttributes implements SpanProcessor {

    static final AttributeKey<String> TENANT = AttributeKey.stringKey("tenantgate.tenant");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("tenantgate.route");
    static final AttributeKey<String> POOL = AttributeKey.stringKey("tenantgate.pool");
    private static final List<AttributeKey<String>> COPIED = List.of(TENANT, ROUTE, POOL,
            AttributeKey.stringKey("tenantgate.requestId"));
    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
    private static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");

    @Override
    public void onStart(Context parent, ReadWriteSpan span) {
        if (span.getKind() != SpanKind.CLIENT
                || span.getAttribute(DB_SYSTEM) == null && span.getAttribute(DB_SYSTEM_NAME) == null) {
            return;
        }
        if (!(Span.fromContext(parent) instanceof ReadableSpan request)) {
            return;
        }
        for (AttributeKey<String> key : COPIED) {
            String value = request.getAttribute(key);
            if (value != null) {
                span.setAttribute(key, value);
            }
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
