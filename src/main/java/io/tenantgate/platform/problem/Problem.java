package io.tenantgate.platform.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.OptionalLong;

/**
 * An RFC 9457 problem document. {@code type} is stable ({@code urn:tenantgate:problem:<slug>}) so
 * clients can branch on it; {@code detail} is for people and never contains a stack trace,
 * credentials or SQL.
 *
 * <p>Registered for reflection: Jackson writes it inside a {@code Response} or through the
 * idempotency store's {@code ObjectMapper}, where a native image cannot see it from an endpoint's
 * signature.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance,
                      List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_PREFIX = "urn:tenantgate:problem:";

    public record FieldError(String field, String message) {
    }

    public static Response response(int status, String slug, String title, String detail) {
        return response(status, slug, title, detail, List.of(), OptionalLong.empty());
    }

    public static Response response(int status, String slug, String title, String detail, List<FieldError> errors,
                                    OptionalLong retryAfterSeconds) {
        Response.ResponseBuilder builder = Response.status(status)
                .type(MEDIA_TYPE)
                .entity(new Problem(TYPE_PREFIX + slug, title, status, detail, null, errors));
        retryAfterSeconds.ifPresent(seconds -> builder.header("Retry-After", seconds));
        return builder.build();
    }
}
