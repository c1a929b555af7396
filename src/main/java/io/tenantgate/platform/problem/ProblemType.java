package io.tenantgate.platform.problem;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every problem type tenantgate answers with: its stable slug ({@code urn:tenantgate:problem:<slug>}),
 * status, title, and whether the answer carries {@code Retry-After}. The OpenAPI document's 503
 * answers are generated from it ({@code platform/openapi/ProblemResponses}); {@code ProblemTypesTest} checks that
 * every slug the code answers with is here with the same status, that every entry is answered
 * somewhere, and that the table in docs/api.md lists exactly these.
 */
public enum ProblemType {
    VALIDATION(400, "validation", "the request is not valid"),
    MALFORMED_BODY(400, "malformed-body", "the body is not the JSON this operation takes"),
    INVALID_ID(400, "invalid-id", "not an id"),
    INVALID_IDEMPOTENCY_KEY(400, "invalid-idempotency-key", "the Idempotency-Key header is not a valid key"),
    INVALID_TENANT_KEY(400, "invalid-tenant-key", "not a tenant key"),
    BAD_REQUEST(400, "bad-request", "the request could not be understood"),
    UNAUTHENTICATED(401, "unauthenticated", "a valid bearer token is required"),
    INVALID_TENANT_CLAIM(401, "invalid-tenant-claim", "the token has no usable tenant claim"),
    FORBIDDEN(403, "forbidden", "the token lacks the group this operation needs"),
    PERMISSION_DENIED(403, "permission-denied", "the caller's roles lack the permission"),
    TENANT_SUSPENDED(403, "tenant-suspended", "the tenant is suspended"),
    UNKNOWN_TENANT(404, "unknown-tenant", "no such tenant"),
    CUSTOMER_NOT_FOUND(404, "customer-not-found", "no such customer"),
    REPORT_NOT_FOUND(404, "report-not-found", "no such report"),
    NOT_FOUND(404, "not-found", "nothing here"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "the method is not allowed here"),
    NOT_ACCEPTABLE(406, "not-acceptable", "no acceptable representation"),
    DUPLICATE_EMAIL(409, "duplicate-email", "a customer with this email exists"),
    TENANT_EXISTS(409, "tenant-exists", "a tenant with this key exists"),
    IDEMPOTENCY_KEY_IN_FLIGHT(409, "idempotency-key-in-flight", "a request with this Idempotency-Key is still running", true),
    MIGRATION_RUNNING(409, "migration-running", "a fleet migration is already running"),
    STALE_VERSION(412, "stale-version", "If-Match names an older version"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "the body is over the size limit"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "the body's media type is not accepted"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "the Idempotency-Key was sent with a different request"),
    UNKNOWN_TEMPLATE(422, "unknown-template", "no such report template"),
    TENANT_DATABASE_UNREACHABLE(422, "tenant-database-unreachable", "the tenant's database could not be reached; nothing stored"),
    TENANT_DATABASE_TLS(422, "tenant-database-tls", "TLS to the tenant's database failed (the detail says how); nothing stored"),
    TENANT_CREDENTIALS_REJECTED(422, "tenant-credentials-rejected", "the tenant's database refused the credentials; nothing stored"),
    TENANT_DATABASE_MISSING(422, "tenant-database-missing", "the tenant's database does not exist; nothing stored"),
    TENANT_DATABASE_UNSUPPORTED(422, "tenant-database-unsupported", "the tenant's database server (or the PgBouncer at its address) cannot be served as configured: too old, or a PgBouncer not declared or without the settings it needs; the detail says what to change; nothing stored"),
    TENANT_MIGRATION_FAILED(422, "tenant-migration-failed", "the tenant's schema could not be migrated; nothing stored"),
    TENANT_CREDENTIALS_REQUIRED(422, "tenant-credentials-required", "new connection details need the password too"),
    PASSWORD_REFERENCE_NOT_ALLOWED(422, "password-reference-not-allowed", "the passwordRef names another tenant's secret"),
    PASSWORD_REFERENCE_UNRESOLVED(422, "password-reference-unresolved", "the passwordRef resolves to nothing"),
    IF_MATCH_REQUIRED(428, "if-match-required", "If-Match is required"),
    INTERNAL(500, "internal", "an internal error; the reference finds the log line"),
    TENANT_QUEUE_FULL(503, "tenant-queue-full", "too many requests wait for the tenant", true),
    ACQUIRE_TIMEOUT(503, "acquire-timeout", "no connection of the tenant became free in time", true),
    SERVER_BUDGET_EXHAUSTED(503, "server-budget-exhausted", "the database server's connection budget is in use", true),
    SHUTTING_DOWN(503, "shutting-down", "this instance is shutting down; another replica answers", true),
    TENANT_UNAVAILABLE(503, "tenant-unavailable", "the tenant's circuit breaker is open", true),
    TENANT_DATABASE_STALLED(503, "tenant-database-stalled", "the tenant's database server stopped answering; failed fast", true),
    TENANT_DEADLINE_EXCEEDED(503, "tenant-deadline-exceeded", "the tenant's database did not answer in time", true),
    TENANT_STATEMENT_TIMEOUT(503, "tenant-statement-timeout", "the database stopped a statement past its statement timeout", true),
    TENANT_SCHEMA_BEHIND(503, "tenant-schema-behind", "the tenant is being upgraded to this version's schema", true),
    TENANT_DATABASE_UNAVAILABLE(503, "tenant-database-unavailable", "the tenant's database cannot be reached", true),
    TENANT_CREDENTIALS_UNAVAILABLE(503, "tenant-credentials-unavailable", "the tenant's database credentials cannot be read", true),
    REGISTRY_UNAVAILABLE(503, "registry-unavailable", "the tenant registry cannot be reached", true);

    public final int status;
    public final String slug;
    public final String title;
    /** The answer carries {@code Retry-After}: the caller should come back. */
    public final boolean retryAfter;

    ProblemType(int status, String slug, String title) {
        this(status, slug, title, false);
    }

    ProblemType(int status, String slug, String title, boolean retryAfter) {
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public String type() {
        return Problem.TYPE_PREFIX + slug;
    }

    public static Optional<ProblemType> of(String slug) {
        return Arrays.stream(values()).filter(t -> t.slug.equals(slug)).findFirst();
    }

    public static List<ProblemType> withStatus(int status) {
        return Arrays.stream(values()).filter(t -> t.status == status).toList();
    }
}
