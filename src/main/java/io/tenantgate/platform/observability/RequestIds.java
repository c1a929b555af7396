package io.tenantgate.platform.observability;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id (the caller's {@code X-Request-Id} if it is sane, a fresh one
 * otherwise) and echoes it on the response, on both ports and on every route: the tenant and admin
 * APIs, {@code /q/openapi} and Swagger UI, the probes and metrics of the management interface, and
 * answers no endpoint matched. A client can always quote it, and the log lines of its request
 * carry it.
 *
 * <p>The id is made by the first handler of each router, before routing, so nothing can answer
 * without it. For the REST endpoints a filter then names the route by resource method (bounded,
 * unlike raw paths) and puts both into the logging context.
 */
@Singleton
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** Before every other route, Quarkus's own included. */
    private static final int FIRST = Integer.MIN_VALUE + 100;

    void onApplicationRouter(@Observes Router router) {
        router.route().order(FIRST).handler(RequestIds::assign);
    }

    void onManagementRouter(@Observes ManagementInterface management) {
        management.router().route().order(FIRST).handler(RequestIds::assign);
    }

    private static void assign(RoutingContext context) {
        String given = context.request().getHeader(HEADER);
        String id = given != null && SANE.matcher(given).matches() ? given
                : HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        context.put(HEADER, id);
        context.response().putHeader(HEADER, id);
        context.next();
    }

    @ServerRequestFilter(preMatching = false)
    public void tag(ContainerRequestContext request, SimpleResourceInfo resource, RoutingContext context) {
        String id = context.get(HEADER);
        CallContext.put(CallContext.REQUEST_ID, id == null ? "-" : id);
        String route = resource == null || resource.getResourceClass() == null ? request.getMethod()
                : request.getMethod() + " " + resource.getResourceClass().getSimpleName() + "." + resource.getMethodName();
        CallContext.put(CallContext.ROUTE, route);
    }
}
