package io.tenantgate.tenant.permissions;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TenantApi;
import io.tenantgate.testing.TestTokens;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Roles come from the token's groups; what they may do comes from the tenant's own database, and
 * every write endpoint checks it.
 */
@QuarkusTest
class PermissionsTest {

    @BothKinds
    void everyWriteEndpointChecksThePermissionTheTenantGrantsTheCallersRoles(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("perm"));
        String user = TestTokens.forTenant(tenant.key(), "user");
        String viewer = TestTokens.forTenant(tenant.key(), "viewer");

        given().auth().oauth2(user).when().get("/api/permissions").then().statusCode(200)
                .body("tenant", equalTo(tenant.key()))
                .body("permissions", containsInAnyOrder("customers:read", "customers:write", "reports:read",
                        "reports:write"));
        given().auth().oauth2(viewer).when().get("/api/permissions").then().statusCode(200)
                .body("permissions", containsInAnyOrder("customers:read", "reports:read"));

        String id = given().auth().oauth2(user).contentType(ContentType.JSON)
                .body(TenantApi.customer("Ada", "ada@example.com")).when().post("/api/customers").then()
                .statusCode(201).extract().path("id");

        // A viewer reads, and every write is refused without changing anything.
        given().auth().oauth2(viewer).when().get("/api/customers/{id}", id).then().statusCode(200);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body(TenantApi.customer("Eve", "eve@example.com"))
                .when().post("/api/customers").then().statusCode(403)
                .body("type", equalTo("urn:tenantgate:problem:permission-denied"));
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body(TenantApi.customer("Eve", "eve@example.com"))
                .when().put("/api/customers/{id}", id).then().statusCode(403);
        given().auth().oauth2(viewer).when().delete("/api/customers/{id}", id).then().statusCode(403);
        given().auth().oauth2(viewer).contentType(ContentType.JSON)
                .body(java.util.Map.of("templateId", "00000000-0000-4000-8000-000000000001", "title", "Q4"))
                .when().post("/api/reports").then().statusCode(403);
        String report = given().auth().oauth2(user).contentType(ContentType.JSON)
                .body(java.util.Map.of("templateId", "00000000-0000-4000-8000-000000000001", "title", "Q4"))
                .when().post("/api/reports").then().statusCode(201).extract().path("id");
        given().auth().oauth2(viewer).header("If-Match", "\"1\"").contentType(ContentType.JSON)
                .body(java.util.Map.of("title", "Changed", "status", "DONE"))
                .when().put("/api/reports/{id}", report).then().statusCode(403);
        assertEquals(1, FreshTenants.server(kind).queryLong(tenant.database(), "SELECT COUNT(*) FROM customer"));
        assertEquals(1, FreshTenants.server(kind).queryLong(tenant.database(),
                "SELECT COUNT(*) FROM report_request WHERE title = 'Q4' AND version = 1"));
        given().auth().oauth2(user).when().get("/api/customers/{id}", id).then().statusCode(200)
                .body("name", equalTo("Ada"));

        // A role the tenant does not know grants nothing, even to read.
        given().auth().oauth2(TestTokens.forTenant(tenant.key(), "stranger")).when().get("/api/customers").then()
                .statusCode(403);
        // A role the tenant defines in its own database works without any change to the service.
        FreshTenants.server(kind).executeIn(tenant.database(),
                "INSERT INTO role_permission (role, permission) VALUES ('auditor', 'customers:read')");
        given().auth().oauth2(TestTokens.forTenant(tenant.key(), "auditor")).when().get("/api/customers").then()
                .statusCode(200);
    }

    @BothKinds
    void grantsOfOneTenantNeverApplyInAnother(DatabaseKind kind) throws Throwable {
        TenantRoute generous = FreshTenants.provision(kind, FreshTenants.key("gen"));
        TenantRoute strict = FreshTenants.provision(kind, FreshTenants.key("strict"));
        FreshTenants.server(kind).executeIn(generous.database(),
                "INSERT INTO role_permission (role, permission) VALUES ('viewer', 'customers:write')");
        given().auth().oauth2(TestTokens.forTenant(generous.key(), "viewer")).contentType(ContentType.JSON)
                .body(TenantApi.customer("Ada", "ada@example.com")).when().post("/api/customers").then().statusCode(201);
        given().auth().oauth2(TestTokens.forTenant(strict.key(), "viewer")).contentType(ContentType.JSON)
                .body(TenantApi.customer("Ada", "ada@example.com")).when().post("/api/customers").then().statusCode(403);
    }
}
