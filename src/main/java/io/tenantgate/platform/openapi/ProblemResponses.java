package io.tenantgate.platform.openapi;

import io.tenantgate.platform.problem.ProblemType;
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

    /**
     * The problem answers any operation can give, by status, with their titles: from
     * {@link ProblemType}, the one registry. Every 503 type is listed, since overload and outages
     * can meet any operation.
     */
    static final Map<String, Map<String, String>> TYPES = new LinkedHashMap<>();

    static {
        put(ProblemType.VALIDATION, ProblemType.MALFORMED_BODY, ProblemType.INVALID_ID,
                ProblemType.INVALID_IDEMPOTENCY_KEY);
        put(ProblemType.withStatus(401).toArray(ProblemType[]::new));
        put(ProblemType.withStatus(403).toArray(ProblemType[]::new));
        put(ProblemType.UNKNOWN_TENANT, ProblemType.NOT_FOUND);
        put(ProblemType.withStatus(503).toArray(ProblemType[]::new));
        TYPES.replaceAll((status, types) -> new java.util.TreeMap<>(types)); // a stable document
    }

    private static void put(ProblemType... types) {
        for (ProblemType type : types) {
            TYPES.computeIfAbsent(Integer.toString(type.status), s -> new LinkedHashMap<>()).put(type.slug, type.title);
        }
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema("Problem", OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .description("RFC 9457 problem details")
                .addProperty("type", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .description("`urn:tenantgate:problem:` and a slug; stable, for clients to branch on"))
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
            value.put("type", ProblemType.of(slug).orElseThrow().type());
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
