package io.tenantgate.problem;

import java.util.OptionalLong;

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

    public ProblemException(int status, String type, String title, String detail) {
        this(status, type, title, detail, OptionalLong.empty());
    }

    public ProblemException(int status, String type, String title, String detail, OptionalLong retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
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
}
