package io.tenantgate.platform.problem;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a declared oversized body with a 413 problem before any of it is read. Bodies without a
 * {@code Content-Length} (chunked) are still capped by {@code quarkus.http.limits.max-body-size}
 * in Vert.x itself, which answers a bare 413.
 */
@ApplicationScoped
public class BodySizeLimit {

    private final long maxBytes;

    public BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
                         MemorySize maxBodySize) {
        this.maxBytes = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        String body = "{\"type\":\"" + Problem.TYPE_PREFIX + "payload-too-large\",\"title\":\"Payload too large\","
                + "\"status\":413,\"detail\":\"the request body exceeds " + maxBytes + " bytes\"}";
        // Only methods that carry bodies: a GET does not pay for one more handler.
        router.route().order(Integer.MIN_VALUE).method(HttpMethod.POST).method(HttpMethod.PUT)
                .method(HttpMethod.PATCH).method(HttpMethod.DELETE).handler(ctx -> {
                    String length = ctx.request().getHeader("Content-Length");
                    if (length != null && tooLarge(length)) {
                        ctx.response().setStatusCode(413)
                                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                                .putHeader("Connection", "close")
                                .end(body);
                        return;
                    }
                    ctx.next();
                });
    }

    private boolean tooLarge(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
