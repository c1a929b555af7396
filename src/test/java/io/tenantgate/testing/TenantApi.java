package io.tenantgate.testing;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import java.util.Map;

import static io.restassured.RestAssured.given;

/** HTTP calls to the tenant APIs as one tenant's user. */
public record TenantApi(String token) {

    public static TenantApi as(String tenant) {
        return new TenantApi(TestTokens.forTenant(tenant));
    }

    public ValidatableResponse get(String path, Object... pathParams) {
        return given().auth().oauth2(token).when().get(path, pathParams).then();
    }

    public ValidatableResponse post(String path, Object body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    public ValidatableResponse put(String path, Object body, Object... pathParams) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).when().put(path, pathParams).then();
    }

    public ValidatableResponse delete(String path, Object... pathParams) {
        return given().auth().oauth2(token).when().delete(path, pathParams).then();
    }

    public static Map<String, Object> customer(String name, String email) {
        return Map.of("name", name, "email", email, "phone", "+1 555 0199");
    }
}
