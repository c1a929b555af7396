package io.tenantgate.platform.observability;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id (the caller's {@code X-Request-Id} if it is sane, a fresh one
 * otherwise), names its route by resource method (bounded, unlike raw paths), and echoes the id
 * back so a client can quote it.
 */
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @ServerRequestFilter(preMatching = false)
    public void tag(ContainerRequestContext request, SimpleResourceInfo resource) {
        String given = request.getHeaderString(HEADER);
        String id = given != null && SANE.matcher(given).matches() ? given
                : HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        CallContext.put(CallContext.REQUEST_ID, id);
        String route = resource == null || resource.getResourceClass() == null ? request.getMethod()
                : request.getMethod() + " " + resource.getResourceClass().getSimpleName() + "." + resource.getMethodName();
        CallContext.put(CallContext.ROUTE, route);
    }

    @ServerResponseFilter
    public void echo(ContainerResponseContext response) {
        String id = CallContext.requestId();
        if (!"-".equals(id)) {
            response.getHeaders().putSingle(HEADER, id);
        }
    }
}
