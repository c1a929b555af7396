package io.tenantgate.platform.problem;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyIterable;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * Every 400 {@code validation} says which fields are wrong in {@code errors[]}: body fields, query
 * parameters, admin bodies, and a missing body as field {@code body}.
 */
@QuarkusTest
class ValidationProblemsTest {

    private static ValidatableResponse validation(ValidatableResponse response, String field) {
        return response.statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:validation"))
                .body("errors", not(emptyIterable()))
                .body("errors.field", hasItem(field));
    }

    @Test
    void aMissingOrEmptyBodyIsReportedAsTheBodyNotAsAJavaParameter() {
        String tenant = TestTokens.forTenant(DemoServers.ACME);
        validation(given().auth().oauth2(tenant).contentType(ContentType.JSON).post("/api/customers").then(), "body")
                .body("errors[0].message", equalTo("a JSON body is required"));
        validation(given().auth().oauth2(tenant).contentType(ContentType.JSON).post("/api/reports").then(), "body");
        String operator = TestTokens.operator();
        validation(given().auth().oauth2(operator).contentType(ContentType.JSON).post("/admin/tenants").then(), "body");
        validation(given().auth().oauth2(operator).contentType(ContentType.JSON).body("{}")
                .patch("/admin/tenants/" + DemoServers.ACME).then(), "body");
    }

    @Test
    void queryParametersAndBodyFieldsAreNamedInErrors() {
        String tenant = TestTokens.forTenant(DemoServers.ACME);
        validation(given().auth().oauth2(tenant).get("/api/customers?size=0").then(), "size");
        validation(given().auth().oauth2(tenant).get("/api/customers?q=" + "x".repeat(201)).then(), "q");
        validation(given().auth().oauth2(tenant).get("/api/reports?status=bogus").then(), "status");
        validation(given().auth().oauth2(tenant).contentType(ContentType.JSON)
                .body("{\"name\":\"\",\"email\":\"not-an-email\"}").post("/api/customers").then(), "email");
        validation(given().auth().oauth2(TestTokens.operator()).get("/admin/tenants?size=100000").then(), "size");
        validation(given().get("/dev/token?groups=NOT_LOWER").then(), "groups");
        validation(given().get("/dev/token?tenant=Bad%20Key").then(), "tenant");
    }
}
