package io.tenantgate.control.security;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Who may call the tenant APIs: a valid token, for a known active tenant, in group {@code user}. */
@QuarkusTest
class AuthenticationTest {

    private static final String PROBLEM = "application/problem+json";

    @Test
    void noTokenIs401ProblemWithABearerChallengeAndNoErrorCode() {
        given().get("/api/customers").then().statusCode(401).contentType(PROBLEM)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"tenantgate\""))
                .body("type", equalTo("urn:tenantgate:problem:unauthenticated"))
                .body("detail", equalTo("a bearer token is required"));
    }

    @Test
    void aRefusedTokenIsChallengedAsInvalidAndAnExpiredOneIsToldSoAndNothingMore() {
        long now = System.currentTimeMillis() / 1000;
        given().auth().oauth2(TestTokens.withClaims(DemoServers.ACME, "tenantgate", "tenantgate", now - 600))
                .get("/api/customers").then().statusCode(401).contentType(PROBLEM)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"tenantgate\", error=\"invalid_token\","
                        + " error_description=\"the token has expired\""))
                .body("detail", equalTo("the bearer token has expired: get a new one"));
        for (String refused : new String[] {TestTokens.forged(DemoServers.ACME), "not.a.jwt",
                TestTokens.withClaims(DemoServers.ACME, "someone-else", "tenantgate", now + 60)}) {
            given().auth().oauth2(refused).get("/api/customers").then().statusCode(401).contentType(PROBLEM)
                    .header("WWW-Authenticate", equalTo("Bearer realm=\"tenantgate\", error=\"invalid_token\","
                            + " error_description=\"the token is not valid\""))
                    .body("detail", equalTo("the bearer token is not valid"));
        }
        given().auth().oauth2(TestTokens.withClaim(DemoServers.ACME, 42)).get("/api/customers").then().statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""));
    }

    @Test
    void tokenSignedByAnUnknownKeyIs401() {
        given().auth().oauth2(TestTokens.forged(DemoServers.ACME)).get("/api/customers").then().statusCode(401)
                .contentType(PROBLEM);
    }

    @Test
    void tokenWithTheWrongIssuerAudienceOrExpiryIs401() {
        long inAMinute = System.currentTimeMillis() / 1000 + 60;
        given().auth().oauth2(TestTokens.withClaims(DemoServers.ACME, "tenantgate", "tenantgate", inAMinute))
                .get("/api/customers").then().statusCode(200);
        given().auth().oauth2(TestTokens.withClaims(DemoServers.ACME, "someone-else", "tenantgate", inAMinute))
                .get("/api/customers").then().statusCode(401).contentType(PROBLEM);
        given().auth().oauth2(TestTokens.withClaims(DemoServers.ACME, "tenantgate", "other-service", inAMinute))
                .get("/api/customers").then().statusCode(401).contentType(PROBLEM);
        given().auth().oauth2(TestTokens.withClaims(DemoServers.ACME, "tenantgate", "tenantgate",
                System.currentTimeMillis() / 1000 - 600)).get("/api/customers").then().statusCode(401);
    }

    @Test
    void garbageTokenIs401() {
        given().auth().oauth2("not.a.jwt").get("/api/customers").then().statusCode(401).contentType(PROBLEM);
    }

    @Test
    void tokenForAnUnknownTenantIs404Problem() {
        given().auth().oauth2(TestTokens.forTenant("no-such-tenant")).get("/api/customers").then().statusCode(404)
                .contentType(PROBLEM).body("type", equalTo("urn:tenantgate:problem:unknown-tenant"));
    }

    @Test
    void tokenWithAMalformedTenantClaimIs401() {
        given().auth().oauth2(TestTokens.forTenant("Robert'); DROP TABLE")).get("/api/customers").then()
                .statusCode(401).contentType(PROBLEM);
    }

    @Test
    void tokenWhoseTenantClaimIsNotAStringIs401() {
        given().auth().oauth2(TestTokens.withClaim(DemoServers.ACME, 42)).get("/api/customers").then()
                .statusCode(401).contentType(PROBLEM).body("type", equalTo("urn:tenantgate:problem:invalid-tenant-claim"));
        given().auth().oauth2(TestTokens.withClaim(DemoServers.ACME, java.util.List.of("acme"))).get("/api/customers")
                .then().statusCode(401).contentType(PROBLEM);
    }

    @Test
    void tokenWithoutTheUserGroupIs403() {
        given().auth().oauth2(TestTokens.forTenant(DemoServers.ACME, "auditor")).get("/api/customers").then()
                .statusCode(403).contentType(PROBLEM);
    }

    /**
     * The admin API is for platform operators, told apart by more than a group name: group
     * {@code operator}, audience {@code tenantgate-admin} and no {@code tenant} claim. A tenant's token
     * carrying the group, an operator-group token without the operator audience, and one naming a
     * tenant all get 403 on every admin endpoint.
     */
    @Test
    void onlyOperatorTokensReachTheAdminApiNotATenantTokenThatCarriesTheOperatorGroup() {
        long inTenMinutes = System.currentTimeMillis() / 1000 + 600;
        java.util.Map<String, String> notOperators = java.util.Map.of(
                "tenant token with group operator", TestTokens.forTenant(DemoServers.ACME, "operator"),
                "operator group, tenant audience, no tenant", TestTokens.signed(null, "tenantgate", inTenMinutes, "operator"),
                "operator group and audience, with a tenant", TestTokens.signed(DemoServers.ACME, "tenantgate-admin",
                        inTenMinutes, "operator"),
                "operator audience, no operator group", TestTokens.signed(null, "tenantgate-admin", inTenMinutes, "user"));
        for (String path : java.util.List.of("/admin/tenants", "/admin/pools", "/admin/servers", "/admin/migrations")) {
            given().auth().oauth2(TestTokens.operator()).get(path).then().statusCode(200);
            notOperators.forEach((what, token) -> given().auth().oauth2(token).get(path).then()
                    .statusCode(403).contentType(PROBLEM));
        }
    }

    @Test
    void devTokenIsServedOutsideProdAndWorks() {
        String token = given().get("/dev/token?tenant=acme&groups=user").then().statusCode(200).extract().asString();
        given().auth().oauth2(token).get("/api/customers").then().statusCode(200);
        given().get("/dev/token?tenant=BAD").then().statusCode(400).contentType(PROBLEM);
    }
}
