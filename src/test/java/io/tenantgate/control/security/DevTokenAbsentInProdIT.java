package io.tenantgate.control.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

/** The packaged application runs in the prod profile: no one can mint tokens there. */
@QuarkusIntegrationTest
class DevTokenAbsentInProdIT {

    @Test
    void devTokenPathIs404InProd() {
        given().get("/dev/token?tenant=acme&groups=user").then().statusCode(404);
        given().get("/dev/spare-tenant").then().statusCode(404);
    }

    @Test
    void prodVerifiesTokensAgainstTheConfiguredKey() {
        given().auth().oauth2(TestTokens.forTenant("acme")).get("/api/customers").then().statusCode(200);
        given().auth().oauth2(TestTokens.forged("acme")).get("/api/customers").then().statusCode(401);
    }
}
