package io.tenantgate.tenant.dashboard;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.observability.StatementLog;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TenantApi;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips per request, counted on the connection feature code is handed: the dashboard takes
 * at most 3 whatever the data, a page of reports exactly 2 for page sizes 1, 20 and 100 (no N+1).
 * The caller's permissions are looked up once and cached, so each test warms them first.
 */
@QuarkusTest
class RoundTripsTest {

    @Inject
    StatementLog statements;

    private int statementsFor(String token, String path, int expectedStatus) {
        String requestId = "rt-" + System.nanoTime();
        given().auth().oauth2(token).header("X-Request-Id", requestId).when().get(path).then().statusCode(expectedStatus);
        return statements.statementsOf(requestId);
    }

    @BothKinds
    void dashboardTakesAtMostThreeRoundTripsAndAReportsPageExactlyTwo(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("trips"));
        String token = TestTokens.forTenant(tenant.key());
        for (int i = 0; i < 12; i++) {
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(TenantApi.customer("Customer " + i, "c" + i + "@example.com")).when().post("/api/customers")
                    .then().statusCode(201);
        }
        String[] templates = {"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
                "00000000-0000-4000-8000-000000000003"};
        for (int i = 0; i < 120; i++) {
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("templateId", templates[i % 3], "title", "Report " + i)).when().post("/api/reports")
                    .then().statusCode(201);
        }

        int dashboard = statementsFor(token, "/api/dashboard", 200);
        given().auth().oauth2(token).when().get("/api/dashboard").then().statusCode(200)
                .body("customers.total", equalTo(12)).body("customers.createdLast7Days", equalTo(12))
                .body("newestCustomers", hasSize(5)).body("reportsByStatus.REQUESTED", equalTo(120))
                .body("reportsByStatus.DONE", equalTo(0));
        System.out.printf("round trips on %s: dashboard %d%n", kind, dashboard);
        assertTrue(dashboard <= 3 && dashboard > 0, "dashboard round trips: " + dashboard);

        for (int size : new int[] {1, 20, 100}) {
            int page = statementsFor(token, "/api/reports?size=" + size, 200);
            System.out.printf("round trips on %s: reports page of %d: %d%n", kind, size, page);
            assertEquals(2, page, "a page of " + size + " reports");
        }
        assertEquals(2, statementsFor(token, "/api/reports?size=20&page=99", 200), "an empty page too");
    }

    @BothKinds
    void dashboardAndTenantInfoShowOnlyTheCallersOwnTenant(DatabaseKind kind) throws Throwable {
        TenantRoute a = FreshTenants.provision(kind, FreshTenants.key("infoa"));
        TenantRoute b = FreshTenants.provision(kind, FreshTenants.key("infob"));
        given().auth().oauth2(TestTokens.forTenant(a.key())).contentType(ContentType.JSON)
                .body(TenantApi.customer("Ada", "ada@example.com")).when().post("/api/customers").then().statusCode(201);
        given().auth().oauth2(TestTokens.forTenant(b.key())).when().get("/api/dashboard").then().statusCode(200)
                .body("customers.total", equalTo(0)).body("newestCustomers", hasSize(0));
        given().auth().oauth2(TestTokens.forTenant(a.key())).when().get("/api/tenant-info").then().statusCode(200)
                .body("key", equalTo(a.key())).body("kind", equalTo(kind.name())).body("status", equalTo("ACTIVE"))
                .body("host", equalTo(null)).body("username", equalTo(null)).body("password", equalTo(null));
        given().auth().oauth2(TestTokens.forTenant(a.key(), "stranger")).when().get("/api/dashboard").then()
                .statusCode(403);
    }
}
