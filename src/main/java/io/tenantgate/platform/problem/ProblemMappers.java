package io.tenantgate.platform.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.tenantgate.platform.failure.DatabaseFailures;
import io.tenantgate.platform.failure.GovernorRejection;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Turns every failure into {@code application/problem+json}. Caller mistakes get a 4xx that says
 * what to fix; overload gets 503 with {@code Retry-After}; anything unexpected gets a bare 500 and
 * a log line with an id, never a stack trace in the response.
 *
 * <p>Made at start-up, not at the first failure, so the rejection counters exist from the start.
 */
@Singleton
@Startup
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final String REJECTIONS = "tenantgate.rejections";

    private final MeterRegistry meters;

    public ProblemMappers(MeterRegistry meters) {
        this.meters = meters;
        // Every reason exists from the start at 0, so an alert on its rate sees data before the first 503.
        for (ProblemType type : ProblemType.withStatus(503)) {
            meters.counter(REJECTIONS, "reason", type.slug);
        }
    }

    /**
     * Counts a 503 by its problem type, a fixed set of slugs, so the series stay bounded. Metrics
     * must never break an answer, hence the guard.
     */
    private Response unavailable(Response response, String type) {
        try {
            meters.counter(REJECTIONS, "reason", type).increment();
        } catch (RuntimeException e) {
            LOG.debugf("could not count a rejection: %s", e);
        }
        return response;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response response = Problem.response(e.status(), e.type(), e.title(), e.getMessage(), e.errors(),
                e.retryAfterSeconds());
        if (e.status() == 401) { // a verified token the application still cannot use (its tenant claim)
            return challenge(response, "the token has no usable tenant claim");
        }
        return e.status() == 503 ? unavailable(response, e.type()) : response;
    }

    @ServerExceptionMapper
    public Response rejected(GovernorRejection e) {
        e.answered();
        return unavailable(Problem.response(503, e.reason().slug, "Service unavailable", e.getMessage(), List.of(),
                OptionalLong.of(e.reason().retryAfterSeconds)), e.reason().slug);
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(field(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(err -> err.field() + ": " + err.message()).collect(Collectors.joining("; "));
        return Problem.response(400, "validation", "Invalid request", detail, errors, OptionalLong.empty());
    }

    private static String field(ConstraintViolation<?> violation) {
        if (violation.getConstraintDescriptor().getAnnotation() instanceof RequiredBody) {
            return RequiredBody.FIELD;
        }
        // "create.input.email" -> "email"; "list.size" -> "size"
        String path = violation.getPropertyPath().toString();
        String[] parts = path.split("\\.");
        return parts.length <= 2 ? parts[parts.length - 1] : String.join(".", List.of(parts).subList(2, parts.length));
    }

    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class,
            InvalidFormatException.class, UnrecognizedPropertyException.class})
    public Response unreadable(JsonProcessingException e) {
        String detail = switch (e) {
            case UnrecognizedPropertyException u -> "unknown field '" + u.getPropertyName() + "'";
            case MismatchedInputException m when !m.getPath().isEmpty() ->
                    "field '" + m.getPath().getLast().getFieldName() + "' has the wrong type";
            default -> "the body is not valid JSON";
        };
        return Problem.response(400, "malformed-body", "Malformed request body", detail);
    }

    @ServerExceptionMapper
    public Response unauthenticated(UnauthorizedException e) {
        // No token at all: RFC 6750 says the challenge then carries no error code.
        return challenge(Problem.response(401, "unauthenticated", "Unauthorized", "a bearer token is required"), null);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        // Expired or not: that much helps the caller and tells an attacker nothing. Why else a token
        // was refused (signature, issuer, audience, format) stays in the debug log.
        boolean expired = BearerTokens.hasExpired(e);
        LOG.debugf("bearer token refused: %s", e);
        return challenge(Problem.response(401, "unauthenticated", "Unauthorized", expired
                ? "the bearer token has expired: get a new one" : "the bearer token is not valid"),
                expired ? "the token has expired" : "the token is not valid");
    }

    /**
     * A 401 challenges for a bearer token (RFC 6750 section 3): {@code error="invalid_token"} when
     * one was sent and refused.
     */
    private static Response challenge(Response response, String invalidTokenDescription) {
        String challenge = invalidTokenDescription == null ? "Bearer realm=\"tenantgate\""
                : "Bearer realm=\"tenantgate\", error=\"invalid_token\", error_description=\""
                + invalidTokenDescription + "\"";
        return Response.fromResponse(response).header("WWW-Authenticate", challenge).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.response(403, "forbidden", "Forbidden", "the token does not grant this operation");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            // Quarkus REST wraps body-reading failures; report what was wrong with the body.
            return unreadable(json);
        }
        if (status >= 500) {
            return unexpected(e);
        }
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        String slug = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> "bad-request";
        };
        return Problem.response(status, slug, reason, reason);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (DatabaseFailures.isUnavailable(e)) {
            // Cannot reach or acquire from the tenant's database: the caller should retry later.
            // The message names the condition (refused, limit, auth); it carries no credentials.
            LOG.warnf("tenant database unavailable: %s", e.toString());
            return unavailable(Problem.response(503, "tenant-database-unavailable", "Service unavailable",
                    "the tenant's database is unavailable; retry later", List.of(), OptionalLong.of(5)),
                    "tenant-database-unavailable");
        }
        String id = Long.toHexString(System.nanoTime());
        LOG.errorf(e, "unexpected failure [%s]", id);
        return Problem.response(500, "internal", "Internal error", "unexpected failure; reference " + id);
    }
}
