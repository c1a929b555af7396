package io.tenantgate.platform.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application, prod profile, serves exactly the committed contract: the document
 * clients are generated from is the one reviewed in docs/openapi.yaml, and it has no dev endpoints
 * (they answer 404 there).
 */
@QuarkusIntegrationTest
class ProductionContractIT {

    @Test
    void theProductionDocumentIsTheCommittedContractWithoutDevEndpoints() throws Exception {
        String served = given().get("/q/openapi").then().statusCode(200).extract().asString();
        YAMLMapper mapper = new YAMLMapper();
        JsonNode document = mapper.readTree(served);
        assertFalse(document.path("paths").has("/dev/token"), "no /dev/token in production");
        assertFalse(document.path("paths").has("/dev/spare-tenant"), "no /dev/spare-tenant in production");
        assertTrue(document.path("paths").size() > 10, "the API is described: " + document.path("paths").size());
        assertTrue(mapper.readTree(Contract.FILE.toFile()).equals(document),
                "the packaged application serves a document other than " + Contract.FILE);
    }
}
