package io.tenantgate.platform.openapi;

import io.tenantgate.platform.problem.ProblemType;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.examples.Example;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Adds the problem answers to the API description: the {@code Problem} schema, and for every
 * operation exactly the problem types it can answer with ({@link #BY_OPERATION}, keyed by
 * {@code operationId}), grouped by status, each status with an example per type. 503 answers
 * declare {@code Retry-After}; every answer declares {@code X-Request-Id}.
 *
 * <p>Invariant: every operation has an entry here, or the document is not built (an operation
 * without one fails start-up, and so every test). {@code ContractCoverageIT} checks the other way:
 * every (operation, status, type) the test suite observed is declared.
 */
public class ProblemResponses implements OASFilter {

    private static final String PROBLEM = "application/problem+json";
    public static final String REQUEST_ID = "X-Request-Id";

    /** Every request: a token, and an answer in JSON. */
    private static final Set<ProblemType> ANY = EnumSet.of(ProblemType.UNAUTHENTICATED, ProblemType.NOT_ACCEPTABLE);
    /** A tenant user's request: the tenant claim, the tenant's state, permissions, and every 503. */
    private static final Set<ProblemType> TENANT = union(ANY, EnumSet.of(ProblemType.INVALID_TENANT_CLAIM,
            ProblemType.PERMISSION_DENIED, ProblemType.TENANT_SUSPENDED, ProblemType.UNKNOWN_TENANT),
            ProblemType.withStatus(503));
    /** An operator's request: the operator group and audience. */
    private static final Set<ProblemType> OPERATOR = union(ANY, EnumSet.of(ProblemType.FORBIDDEN));
    /** An operator's request that reads or writes the registry. */
    private static final Set<ProblemType> REGISTRY = union(OPERATOR, EnumSet.of(ProblemType.REGISTRY_UNAVAILABLE));
    /** A request with a JSON body. */
    private static final Set<ProblemType> BODY = EnumSet.of(ProblemType.VALIDATION, ProblemType.MALFORMED_BODY,
            ProblemType.PAYLOAD_TOO_LARGE, ProblemType.UNSUPPORTED_MEDIA_TYPE);
    /** Proving a tenant's database before anything is stored. */
    private static final Set<ProblemType> PROVING = EnumSet.of(ProblemType.INVALID_TENANT_KEY,
            ProblemType.TENANT_DATABASE_UNREACHABLE, ProblemType.TENANT_DATABASE_TLS,
            ProblemType.TENANT_CREDENTIALS_REJECTED, ProblemType.TENANT_DATABASE_MISSING,
            ProblemType.TENANT_DATABASE_UNSUPPORTED, ProblemType.TENANT_MIGRATION_FAILED,
            ProblemType.PASSWORD_REFERENCE_NOT_ALLOWED, ProblemType.PASSWORD_REFERENCE_UNRESOLVED);

    /** What each operation can answer besides success. */
    static final Map<String, Set<ProblemType>> BY_OPERATION = Map.ofEntries(
            Map.entry("listCustomers", union(TENANT, EnumSet.of(ProblemType.VALIDATION))),
            Map.entry("getCustomer", union(TENANT, EnumSet.of(ProblemType.INVALID_ID, ProblemType.CUSTOMER_NOT_FOUND))),
            Map.entry("createCustomer", union(TENANT, BODY, EnumSet.of(ProblemType.INVALID_IDEMPOTENCY_KEY,
                    ProblemType.DUPLICATE_EMAIL, ProblemType.IDEMPOTENCY_KEY_IN_FLIGHT,
                    ProblemType.IDEMPOTENCY_KEY_REUSED))),
            Map.entry("updateCustomer", union(TENANT, BODY, EnumSet.of(ProblemType.INVALID_ID,
                    ProblemType.CUSTOMER_NOT_FOUND, ProblemType.DUPLICATE_EMAIL, ProblemType.STALE_VERSION))),
            Map.entry("deleteCustomer", union(TENANT, EnumSet.of(ProblemType.INVALID_ID, ProblemType.CUSTOMER_NOT_FOUND))),
            Map.entry("listReportTemplates", TENANT),
            Map.entry("listReports", union(TENANT, EnumSet.of(ProblemType.VALIDATION))),
            Map.entry("createReport", union(TENANT, BODY, EnumSet.of(ProblemType.UNKNOWN_TEMPLATE))),
            Map.entry("getReport", union(TENANT, EnumSet.of(ProblemType.INVALID_ID, ProblemType.REPORT_NOT_FOUND))),
            Map.entry("updateReport", union(TENANT, BODY, EnumSet.of(ProblemType.INVALID_ID,
                    ProblemType.REPORT_NOT_FOUND, ProblemType.STALE_VERSION, ProblemType.IF_MATCH_REQUIRED))),
            Map.entry("getDashboard", TENANT),
            Map.entry("getTenantInfo", TENANT),
            Map.entry("getPermissions", TENANT),
            Map.entry("createTenant", union(REGISTRY, BODY, PROVING, EnumSet.of(ProblemType.TENANT_EXISTS))),
            Map.entry("listTenants", union(REGISTRY, EnumSet.of(ProblemType.VALIDATION))),
            Map.entry("getTenant", union(REGISTRY, EnumSet.of(ProblemType.INVALID_TENANT_KEY, ProblemType.UNKNOWN_TENANT))),
            Map.entry("changeTenant", union(REGISTRY, BODY, PROVING, EnumSet.of(ProblemType.UNKNOWN_TENANT,
                    ProblemType.TENANT_CREDENTIALS_REQUIRED))),
            Map.entry("removeTenant", union(REGISTRY, EnumSet.of(ProblemType.INVALID_TENANT_KEY, ProblemType.UNKNOWN_TENANT))),
            Map.entry("listPools", OPERATOR),
            Map.entry("listFleetPools", REGISTRY),
            Map.entry("listServers", OPERATOR),
            Map.entry("getReplica", OPERATOR),
            Map.entry("evictPool", union(REGISTRY, EnumSet.of(ProblemType.INVALID_TENANT_KEY, ProblemType.UNKNOWN_TENANT))),
            Map.entry("evictIdlePools", REGISTRY),
            Map.entry("getMigrationProgress", OPERATOR),
            Map.entry("startMigration", union(REGISTRY, EnumSet.of(ProblemType.MIGRATION_RUNNING))),
            Map.entry("getCredentialKeys", REGISTRY),
            Map.entry("reEncryptPasswords", REGISTRY),
            Map.entry("getDevToken", EnumSet.of(ProblemType.VALIDATION, ProblemType.NOT_FOUND)),
            Map.entry("getSpareTenant", EnumSet.of(ProblemType.NOT_FOUND)));

    @SafeVarargs
    private static Set<ProblemType> union(Collection<ProblemType>... parts) {
        EnumSet<ProblemType> all = EnumSet.noneOf(ProblemType.class);
        for (Collection<ProblemType> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema("Problem", problemSchema());
        openAPI.getComponents().addSchema("FieldError", OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .description("One field the request got wrong")
                .addProperty("field", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("message", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))));
        BY_OPERATION.values().stream().flatMap(Set::stream).distinct().sorted()
                .forEach(type -> openAPI.getComponents().addExample(type.slug, example(type)));
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            for (Map.Entry<PathItem.HttpMethod, Operation> entry : item.getOperations().entrySet()) {
                Operation op = entry.getValue();
                Set<ProblemType> problems = op.getOperationId() == null ? null : BY_OPERATION.get(op.getOperationId());
                if (problems == null) {
                    throw new IllegalStateException(entry.getKey() + " " + path + " (operationId "
                            + op.getOperationId() + ") declares no problem answers in ProblemResponses.BY_OPERATION");
                }
                declare(op, problems);
            }
        });
    }

    private static void declare(Operation op, Set<ProblemType> problems) {
        // SmallRye adds bare 401/403 answers to secured operations: replaced by the declared ones.
        op.getResponses().removeAPIResponse("401");
        op.getResponses().removeAPIResponse("403");
        Map<Integer, List<ProblemType>> byStatus = problems.stream()
                .collect(Collectors.groupingBy(t -> t.status, TreeMap::new, Collectors.toList()));
        byStatus.forEach((status, types) -> op.getResponses().addAPIResponse(Integer.toString(status),
                problem(types)));
        op.getResponses().getAPIResponses().values().forEach(response ->
                response.addHeader(REQUEST_ID, OASFactory.createHeader().ref(REQUEST_ID)));
    }

    private static Schema problemSchema() {
        return OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .description("RFC 9457 problem details")
                .addProperty("type", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .description("`urn:tenantgate:problem:` and a slug; stable, for clients to branch on"))
                .addProperty("title", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("status", OASFactory.createSchema().type(List.of(Schema.SchemaType.INTEGER)))
                .addProperty("detail", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("instance", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("errors", OASFactory.createSchema().type(List.of(Schema.SchemaType.ARRAY))
                        .items(OASFactory.createSchema().ref("#/components/schemas/FieldError")))
                .required(List.of("type", "title", "status"));
    }

    /** One example per problem type, in components: each operation's answers refer to them by slug. */
    private static Example example(ProblemType type) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("type", type.type());
        value.put("title", type.title);
        value.put("status", type.status);
        value.put("detail", type.title);
        return OASFactory.createExample().summary(type.title).value(value);
    }

    private static APIResponse problem(List<ProblemType> types) {
        MediaType media = OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref("#/components/schemas/Problem"));
        for (ProblemType type : types) {
            media.addExample(type.slug, OASFactory.createExample().ref(type.slug));
        }
        Content content = OASFactory.createContent().addMediaType(PROBLEM, media);
        APIResponse response = OASFactory.createAPIResponse()
                .description(types.stream().map(t -> "`" + t.slug + "`").collect(Collectors.joining(", ")))
                .content(content);
        if (types.stream().anyMatch(t -> t.retryAfter)) {
            Header retryAfter = OASFactory.createHeader().ref("Retry-After");
            response.addHeader("Retry-After", retryAfter);
        }
        return response;
    }
}
