package io.tenantgate.control.lifecycle;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tenantgate.demo.SpareTenantResource;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * The README's walkthrough: the demo's spare database becomes a third tenant at run time, and its
 * users are served at once, with no restart.
 */
@QuarkusTest
class AddTenantAtRunTimeTest {

    @Test
    void theSpareDatabaseBecomesATenantAndIsServedWithoutARestart() {
        Map<?, ?> spare = given().when().get("/dev/spare-tenant").then().statusCode(200).extract().as(Map.class);
        given().auth().oauth2(TestTokens.operator()).contentType(ContentType.JSON).body(spare)
                .when().post("/admin/tenants").then().statusCode(201).body("key", equalTo(SpareTenantResource.SPARE));

        String user = TestTokens.forTenant(SpareTenantResource.SPARE);
        given().auth().oauth2(user).contentType(ContentType.JSON)
                .body(Map.of("name", "Peter Gibbons", "email", "peter@initech.example"))
                .when().post("/api/customers").then().statusCode(201);
        given().auth().oauth2(user).when().get("/api/customers").then().statusCode(200).body("total", equalTo(1));
    }
}
