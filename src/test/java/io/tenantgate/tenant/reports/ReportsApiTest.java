package io.tenantgate.tenant.reports;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TestTokens;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Report templates and requests on both kinds: embedded templates, filters, ETags, isolation. */
@QuarkusTest
class ReportsApiTest {

    private static final String CUSTOMER_LIST = "00000000-0000-4000-8000-000000000001";
    private static final String NEW_CUSTOMERS = "00000000-0000-4000-8000-000000000002";

    private static Response file(String token, String template, String title) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("templateId", template, "title", title)).when().post("/api/reports");
    }

    @BothKinds
    void requestsCarryTheirTemplateAndAStalePutIsRefusedWithoutChange(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("rep"));
        String token = TestTokens.forTenant(tenant.key());
        given().auth().oauth2(token).when().get("/api/report-templates").then().statusCode(200).body("$", hasSize(3));

        Response created = file(token, CUSTOMER_LIST, "All customers");
        created.then().statusCode(201).header("ETag", "\"1\"").body("status", equalTo("REQUESTED"))
                .body("template.name", equalTo("Customer list"));
        String id = created.path("id");
        file(token, NEW_CUSTOMERS, "New this month").then().statusCode(201);
        file(token, "00000000-0000-4000-8000-00000000dead", "No such template").then().statusCode(422)
                .body("type", equalTo("urn:tenantgate:problem:unknown-template"));

        given().auth().oauth2(token).when().get("/api/reports?size=10").then().statusCode(200)
                .body("total", equalTo(2)).body("items", hasSize(2))
                .body("items.find { it.id == '" + id + "' }.template.name", equalTo("Customer list"));

        // Two clients read version 1; the first PUT wins, the second is told it is stale and changes nothing.
        given().auth().oauth2(token).header("If-Match", "\"1\"").contentType(ContentType.JSON)
                .body(Map.of("title", "All customers, final", "status", "RUNNING"))
                .when().put("/api/reports/{id}", id).then().statusCode(200).header("ETag", "\"2\"");
        given().auth().oauth2(token).header("If-Match", "\"1\"").contentType(ContentType.JSON)
                .body(Map.of("title", "Overwrite", "status", "CANCELLED"))
                .when().put("/api/reports/{id}", id).then().statusCode(412)
                .body("type", equalTo("urn:tenantgate:problem:stale-version"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("title", "x", "status", "DONE"))
                .when().put("/api/reports/{id}", id).then().statusCode(428);
        given().auth().oauth2(token).when().get("/api/reports/{id}", id).then().statusCode(200)
                .header("ETag", "\"2\"").body("title", equalTo("All customers, final")).body("status", equalTo("RUNNING"));

        given().auth().oauth2(token).when().get("/api/reports?status=running").then().statusCode(200)
                .body("total", equalTo(1));
        given().auth().oauth2(token).when().get("/api/reports?status=bogus").then().statusCode(400);
        given().auth().oauth2(token).when().get("/api/reports?page=5").then().statusCode(200)
                .body("total", equalTo(2)).body("items", hasSize(0));
    }

    @BothKinds
    void aTenantNeverSeesAnotherTenantsReports(DatabaseKind kind) throws Throwable {
        TenantRoute a = FreshTenants.provision(kind, FreshTenants.key("repa"));
        TenantRoute b = FreshTenants.provision(kind, FreshTenants.key("repb"));
        String id = file(TestTokens.forTenant(a.key()), CUSTOMER_LIST, "Mine").then().statusCode(201).extract().path("id");
        String other = TestTokens.forTenant(b.key());
        given().auth().oauth2(other).when().get("/api/reports/{id}", id).then().statusCode(404);
        given().auth().oauth2(other).when().get("/api/reports").then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(other).header("If-Match", "\"1\"").contentType(ContentType.JSON)
                .body(Map.of("title", "Theirs", "status", "DONE")).when().put("/api/reports/{id}", id).then()
                .statusCode(404);
        assertEquals(1, FreshTenants.server(kind).queryLong(a.database(),
                "SELECT COUNT(*) FROM report_request WHERE title = 'Mine' AND version = 1"));
    }
}
