package io.tenantgate.tenant.customers;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TenantApi;
import io.tenantgate.testing.TestTokens;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** Customers carry an ETag; a PUT with a stale If-Match gets 412 and changes nothing. */
@QuarkusTest
class CustomerConcurrentUpdateTest {

    @BothKinds
    void aStalePutIsRefusedAndChangesNothing(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("etag"));
        String token = TestTokens.forTenant(tenant.key());
        String id = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(TenantApi.customer("Ada", "ada@example.com")).when().post("/api/customers").then().statusCode(201)
                .body("version", equalTo(1)).extract().path("id");
        given().auth().oauth2(token).when().get("/api/customers/{id}", id).then().statusCode(200).header("ETag", "\"1\"");

        // Both clients read version 1. The first change wins and moves it to 2.
        given().auth().oauth2(token).header("If-Match", "\"1\"").contentType(ContentType.JSON)
                .body(TenantApi.customer("Ada Lovelace", "ada@example.com")).when().put("/api/customers/{id}", id)
                .then().statusCode(200).header("ETag", "\"2\"").body("name", equalTo("Ada Lovelace"));
        // The second, still based on 1, is refused and changes nothing.
        given().auth().oauth2(token).header("If-Match", "\"1\"").contentType(ContentType.JSON)
                .body(TenantApi.customer("Overwritten", "other@example.com")).when().put("/api/customers/{id}", id)
                .then().statusCode(412).contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:stale-version"));
        given().auth().oauth2(token).when().get("/api/customers/{id}", id).then().statusCode(200)
                .header("ETag", "\"2\"").body("name", equalTo("Ada Lovelace")).body("email", equalTo("ada@example.com"));
        given().auth().oauth2(token).header("If-Match", "\"1\"").contentType(ContentType.JSON)
                .body(TenantApi.customer("Ghost", "ghost@example.com"))
                .when().put("/api/customers/{id}", "00000000-0000-4000-8000-000000000099").then().statusCode(404);
    }
}
