package io.tenantgate.platform.observability;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.Management;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every response of both ports carries {@code X-Request-Id}: the caller's own if it is sane, a fresh
 * one otherwise. Tenant and admin APIs, 401s and 404s, {@code /q/openapi}, and the probes and
 * metrics of the management interface alike.
 */
@QuarkusTest
class RequestIdsTest {

    private static final String HEADER = "X-Request-Id";

    @Test
    void everyResponseOfBothPortsEchoesTheCallersRequestId() {
        String token = TestTokens.forTenant(DemoServers.ACME);
        String[][] apiCalls = {{"/api/customers", "200"}, {"/api/no-such-thing", "404"}, {"/q/openapi", "200"}};
        for (String[] call : apiCalls) {
            RestAssured.given().auth().oauth2(token).header(HEADER, "caller-42").get(call[0]).then()
                    .statusCode(Integer.parseInt(call[1])).header(HEADER, equalTo("caller-42"));
        }
        RestAssured.given().header(HEADER, "caller-43").get("/api/customers").then().statusCode(401)
                .header(HEADER, equalTo("caller-43"));
        for (String path : new String[] {"/q/health/ready", "/q/health/live", "/q/metrics"}) {
            Management.given().header(HEADER, "caller-44").get(path).then().statusCode(200)
                    .header(HEADER, equalTo("caller-44"));
        }
    }

    @Test
    void anInsaneOrMissingRequestIdIsReplacedByAFreshOneEachTime() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ids.add(RestAssured.given().header(HEADER, "not sane " + "x".repeat(80)).get("/q/openapi").then()
                    .statusCode(200).header(HEADER, matchesPattern("[0-9a-f]{16}")).extract().header(HEADER));
            ids.add(Management.given().get("/q/health/live").then().statusCode(200)
                    .header(HEADER, matchesPattern("[0-9a-f]{16}")).extract().header(HEADER));
        }
        assertEquals(6, ids.size(), "a fresh id for every request: " + ids);
    }
}
