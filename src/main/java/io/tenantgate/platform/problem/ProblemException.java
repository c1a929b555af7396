package io.tenantgate.platform.problem;

import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * An expected failure with a known HTTP answer, rendered as {@code application/problem+json}.
 *
 * <p>It carries no stack trace: it is control flow for outcomes like 404 or 503, not a bug, and
 * must be cheap under overload.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final OptionalLong retryAfterSeconds;
    private final List<Problem.FieldError> errors;

    public ProblemException(int status, String type, String title, String detail) {
        this(status, type, title, detail, OptionalLong.empty());
    }

    public ProblemException(int status, String type, String title, String detail, OptionalLong retryAfterSeconds) {
        this(status, type, title, detail, retryAfterSeconds, List.of());
    }

    private ProblemException(int status, String type, String title, String detail, OptionalLong retryAfterSeconds,
                             List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
        this.errors = List.copyOf(errors);
    }

    /** 400 {@code validation}: what is wrong with each named field (body fields, query or header parameters). */
    public static ProblemException invalid(List<Problem.FieldError> errors) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; "));
        return new ProblemException(400, "validation", "Invalid request", detail, OptionalLong.empty(), errors);
    }

    /** 400 {@code validation} for one field. */
    public static ProblemException invalid(String field, String message) {
        return invalid(List.of(new Problem.FieldError(field, message)));
    }

    public static ProblemException badRequest(String type, String detail) {
        return new ProblemException(400, type, "Bad request", detail);
    }

    public static ProblemException notFound(String type, String detail) {
        return new ProblemException(404, type, "Not found", detail);
    }

    public static ProblemException unavailable(String type, String detail, long retryAfterSeconds) {
        return new ProblemException(503, type, "Service unavailable", detail, OptionalLong.of(retryAfterSeconds));
    }

    /** The registry did not answer a read or write a request needs: 503, retry in 5 s. */
    public static ProblemException registryUnavailable() {
        return unavailable("registry-unavailable", "the tenant registry cannot be reached; retry shortly", 5);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The fields a {@code validation} problem is about; empty for other problems. */
    public List<Problem.FieldError> errors() {
        return errors;
    }
}
