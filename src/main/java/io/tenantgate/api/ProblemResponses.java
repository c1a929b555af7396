package io.tenantgate.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.examples.Example;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds the problem document to the API description: its schema, an example per problem type, and
 * the problem answers every operation can give (bad input, authentication, permissions, overload),
 * so generated clients know them without reading the code.
 */
public class ProblemResponses implements OASFilter {

    private static final String PROBLEM = "application/problem+json";

    /** Every problem type by status, with what it means; the README's table in machine form. */
    static final Map<String, Map<String, String>> TYPES = new LinkedHashMap<>();

    static {
        TYPES.put("400", Map.of("validation", "a field is missing or invalid; errors lists them",
                "malformed-body", "the body is not the JSON expected", "invalid-id", "an id is not a UUID",
                "invalid-idempotency-key", "Idempotency-Key must be 1 to 255 printable ASCII characters"));
        TYPES.put("401", Map.of("unauthenticated", "no valid bearer token",
                "invalid-tenant-claim", "the token has no usable tenant claim"));
        TYPES.put("403", Map.of("forbidden", "the token lacks the group", "permission-denied",
                "the caller's roles lack the permission", "tenant-suspended", "the tenant is suspended"));
        TYPES.put("404", Map.of("unknown-tenant", "the token names a tenant that does not exist",
                "not-found", "no such resource"));
        TYPES.put("503", Map.ofEntries(Map.entry("tenant-unavailable", "the tenant's circuit breaker is open"),
                Map.entry("tenant-queue-full", "too many requests wait for the tenant"),
                Map.entry("acquire-timeout", "no connection of the tenant became free in time"),
                Map.entry("server-budget-exhausted", "the database server's connection budget is in use"),
                Map.entry("tenant-database-stalled", "the tenant's database server stopped answering; failed fast"),
                Map.entry("tenant-deadline-exceeded", "the tenant's database did not answer in time"),
                Map.entry("tenant-statement-timeout", "the database stopped a statement past its statement timeout"),
                Map.entry("tenant-database-unavailable", "the tenant's database cannot be reached"),
                Map.entry("tenant-schema-behind", "the tenant is being upgraded to this version's schema"),
                Map.entry("registry-unavailable", "the tenant registry cannot be reached")));
        TYPES.replaceAll((status, types) -> new java.util.TreeMap<>(types)); // a stable document
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema("Problem", OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .description("RFC 9457 problem details")
                .addProperty("type", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .description("urn:tenantgate:problem:<slug>, stable"))
                .addProperty("title", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("status", OASFactory.createSchema().type(List.of(Schema.SchemaType.INTEGER)))
                .addProperty("detail", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                .addProperty("errors", OASFactory.createSchema().type(List.of(Schema.SchemaType.ARRAY))
                        .items(OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                                .addProperty("field", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)))
                                .addProperty("message", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))))));
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith("/api") && !path.startsWith("/admin")) {
                return;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> op : item.getOperations().entrySet()) {
                for (String status : TYPES.keySet()) {
                    APIResponse existing = op.getValue().getResponses().getAPIResponse(status);
                    if (existing == null) {
                        op.getValue().getResponses().addAPIResponse(status, problem(status));
                    } else if (existing.getContent() == null || existing.getContent().getMediaType(PROBLEM) == null) {
                        // SmallRye adds bare 401/403 answers to secured operations: give them the problem body.
                        existing.content(problem(status).getContent());
                    }
                }
            }
        });
    }

    private static APIResponse problem(String status) {
        MediaType media = OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref("#/components/schemas/Problem"));
        TYPES.get(status).forEach((slug, meaning) -> {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("type", "urn:tenantgate:problem:" + slug);
            value.put("title", meaning);
            value.put("status", Integer.parseInt(status));
            value.put("detail", meaning);
            Example example = OASFactory.createExample().summary(meaning).value(value);
            media.addExample(slug, example);
        });
        Content content = OASFactory.createContent().addMediaType(PROBLEM, media);
        return OASFactory.createAPIResponse().description(String.join(", ", TYPES.get(status).keySet())).content(content);
    }
}
