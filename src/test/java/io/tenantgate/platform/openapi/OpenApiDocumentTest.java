package io.tenantgate.platform.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.quarkus.test.junit.QuarkusTest;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document is well formed and lists every endpoint the application serves: the list
 * of endpoints is read from the compiled resources themselves (their JAX-RS annotations), so a new
 * endpoint missing from the document fails this test.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final List<String> VERBS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

    @Test
    void theDocumentListsEveryServedEndpointWithItsProblemAnswers() throws IOException {
        String json = given().when().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        JsonNode doc = new ObjectMapper().readTree(json);
        assertTrue(doc.path("openapi").asText().startsWith("3."), "an OpenAPI 3 document");
        assertEquals("tenantgate", doc.path("info").path("title").asText());
        assertTrue(doc.path("components").path("schemas").has("Problem"), "the problem schema is described");
        assertTrue(doc.path("components").path("securitySchemes").has("bearer"), "bearer tokens are described");

        Set<String> documented = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(verb -> {
            if (VERBS.contains(verb.toUpperCase())) {
                documented.add(verb.toUpperCase() + " " + path.getKey());
                JsonNode responses = path.getValue().path(verb).path("responses");
                assertTrue(responses.size() > 0, "responses of " + verb + " " + path.getKey());
                if (path.getKey().startsWith("/api")) {
                    // Tenant work meets overload and open breakers: 503 with Retry-After.
                    assertTrue(responses.path("503").path("content").has("application/problem+json"),
                            "503 problem of " + verb + " " + path.getKey());
                    assertTrue(responses.path("503").path("headers").has("Retry-After"),
                            "503 Retry-After of " + verb + " " + path.getKey());
                }
                if (path.getKey().startsWith("/api") || path.getKey().startsWith("/admin")) {
                    assertTrue(responses.path("403").path("content").path("application/problem+json")
                            .path("examples").size() > 0, "problem examples of " + verb + " " + path.getKey());
                }
            }
        }));
        Set<String> served = servedEndpoints();
        System.out.println("endpoints served and documented: " + served.size());
        Set<String> missing = new TreeSet<>(served);
        missing.removeAll(documented);
        assertTrue(served.size() >= 20, "the scan found the endpoints: " + served);
        assertTrue(missing.isEmpty(), "served but not documented: " + missing);
    }

    @Test
    void swaggerUiShowsTheTenantApisFirstWithHumanSummariesAndOneSecurityScheme() throws IOException {
        JsonNode doc = new ObjectMapper().readTree(given().when().get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString());
        List<String> tags = new ArrayList<>();
        doc.path("tags").forEach(tag -> tags.add(tag.path("name").asText()));
        assertEquals(List.of("Customers", "Reports", "Dashboard", "Permissions", "Tenant admin", "Pools", "Migrations",
                "Credentials", "Development"), tags, "capabilities, the tenant APIs first");
        List<String> schemes = new ArrayList<>();
        doc.path("components").path("securitySchemes").fieldNames().forEachRemaining(schemes::add);
        assertEquals(List.of("bearer"), schemes, "one security scheme");
        assertTrue(!doc.path("info").path("description").asText().contains("<"),
                "no angle brackets for Swagger UI to eat as HTML");

        List<String> problems = new ArrayList<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!VERBS.contains(op.getKey().toUpperCase())) {
                return;
            }
            String name = op.getKey().toUpperCase() + " " + path.getKey();
            String summary = op.getValue().path("summary").asText();
            if (summary.split(" ").length < 3) {
                problems.add(name + " has no human summary: '" + summary + "'");
            }
            JsonNode opTags = op.getValue().path("tags");
            if (opTags.size() != 1 || !tags.contains(opTags.get(0).asText())) {
                problems.add(name + " is not under exactly one capability: " + opTags);
            }
            op.getValue().path("security").forEach(requirement -> requirement.fieldNames().forEachRemaining(scheme -> {
                if (!scheme.equals("bearer")) {
                    problems.add(name + " names security scheme " + scheme);
                }
            }));
        }));
        assertEquals(List.of(), problems);
    }

    /**
     * The served document is the committed contract: a change to an annotation, a schema or a
     * problem answer fails here until docs/openapi.yaml is updated (and reviewed) with it. The test
     * profile also serves the dev endpoints, which the production document leaves out
     * ({@code ContractIT} compares the packaged application's document, prod profile, as it is).
     */
    @Test
    void theServedDocumentIsTheCommittedContractPlusTheDevEndpointsThisProfileServes() throws IOException {
        String yaml = given().when().get("/q/openapi").then().statusCode(200).extract().asString();
        YAMLMapper mapper = YAMLMapper.builder().enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();
        ObjectNode served = (ObjectNode) mapper.readTree(yaml);
        ObjectNode paths = (ObjectNode) served.path("paths");
        assertTrue(paths.has("/dev/token") && paths.has("/dev/spare-tenant"), "the test profile serves the dev endpoints");
        paths.remove(List.of("/dev/token", "/dev/spare-tenant"));
        ((ArrayNode) served.path("tags")).removeIf(t -> t.path("name").asText()
                .equals("Development"));
        Path production = Path.of("target/openapi/production.yaml");
        Files.createDirectories(production.getParent());
        mapper.writeValue(production.toFile(), served);
        assertTrue(mapper.readTree(Contract.FILE.toFile()).equals(served), "the contract changed: review `diff "
                + Contract.FILE + " " + production + "` and commit " + production + " as " + Contract.FILE);
    }

    @Test
    void theCommittedContractIsValidOpenApi303WithTypedOperations() {
        Contract contract = Contract.committed();
        assertEquals(List.of(), contract.messages, "swagger-parser's complaints");
        assertEquals("3.0.3", contract.document.getOpenapi());
        List<String> problems = new ArrayList<>();
        contract.operations().forEach((id, op) -> {
            if (op.getOperationId() == null) {
                problems.add(id + " has no operationId");
            }
            boolean typedSuccess = op.getResponses().entrySet().stream().anyMatch(r -> r.getKey().startsWith("2")
                    && (r.getKey().equals("204") || r.getValue().getContent() != null));
            if (!typedSuccess) {
                problems.add(id + " declares no typed success answer");
            }
            if (op.getParameters() != null) {
                op.getParameters().forEach(p -> {
                    if (p.getSchema() == null || p.getSchema().getType() == null && p.getSchema().get$ref() == null) {
                        problems.add(id + " parameter " + p.getName() + " has no type");
                    }
                });
            }
        });
        assertEquals(List.of(), problems);
    }

    /** "VERB /path" for every resource method compiled from src/main. */
    private static Set<String> servedEndpoints() throws IOException {
        Indexer indexer = new Indexer();
        try (Stream<Path> files = Files.walk(Path.of("target/classes/io/tenantgate"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    indexer.index(in);
                }
            }
        }
        Index index = indexer.complete();
        DotName pathAnnotation = DotName.createSimple("jakarta.ws.rs.Path");
        Set<String> endpoints = new TreeSet<>();
        for (AnnotationInstance classPath : index.getAnnotations(pathAnnotation)) {
            if (classPath.target().kind() != AnnotationTarget.Kind.CLASS) {
                continue;
            }
            String base = classPath.value().asString();
            classPath.target().asClass().methods().forEach(method -> {
                for (String verb : VERBS) {
                    if (method.hasAnnotation(DotName.createSimple("jakarta.ws.rs." + verb))) {
                        AnnotationInstance sub = method.annotation(pathAnnotation);
                        String path = base + (sub == null ? "" : "/" + sub.value().asString());
                        endpoints.add(verb + " " + path.replaceAll("/+", "/").replaceAll("(.)/$", "$1"));
                    }
                }
            });
        }
        return endpoints;
    }
}
