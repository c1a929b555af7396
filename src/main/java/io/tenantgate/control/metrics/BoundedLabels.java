package io.tenantgate.control.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * No outsider can add metric series. Vert.x accepts any token as an HTTP method, and Quarkus's
 * HTTP server metrics tag every request by its method: 2,000 requests with made-up methods made
 * 6,000 series. Methods outside the standard set are counted as {@code OTHER}. The other labels an
 * outsider influences are bounded already: {@code uri} is the matched route template (unmatched
 * paths are {@code NOT_FOUND}) and {@code status} a three-digit code; problem types and tenant
 * names in tenantgate's own meters come from fixed sets and the top-tenants rule.
 */
@Singleton
public class BoundedLabels {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
            "TRACE", "CONNECT");

    @Produces
    @Singleton
    MeterFilter standardMethodsOnly() {
        return MeterFilter.replaceTagValues("method", method -> METHODS.contains(method) ? method : "OTHER");
    }
}
