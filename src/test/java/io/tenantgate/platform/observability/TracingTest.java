package io.tenantgate.platform.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With tracing on, every tenant statement's span names its tenant, route and pool, for both kinds. */
@QuarkusTest
@TestProfile(LogsAndTracingOn.class)
class TracingTest {

    @Inject
    RecentSpans spans;

    @Test
    void databaseSpansCarryTenantRouteAndPool() throws InterruptedException {
        for (String tenant : List.of(DemoServers.ACME, DemoServers.GLOBEX)) {
            given().auth().oauth2(TestTokens.forTenant(tenant)).when().get("/api/customers").then().statusCode(200);
            // Spans are exported in batches, each as its statement ends: wait for the customer query's,
            // not just for the first of the request's statements (its permission check).
            assertTrue(Await.until(() -> dbSpansOf(tenant).stream().anyMatch(TracingTest::isCustomerQuery), 10),
                    "the customer query ran on the tenant's own database: " + spans.all().stream()
                            .map(s -> s.getName() + " " + s.getKind() + " " + s.getAttributes()).toList());
            List<SpanData> db = dbSpansOf(tenant);
            System.out.println("database span of " + tenant + ": " + db.getFirst().getName() + " "
                    + db.getFirst().getAttributes());
            for (SpanData span : db) {
                assertEquals("GET CustomerResource.list", span.getAttributes().get(TenantSpanAttributes.ROUTE));
                String pool = span.getAttributes().get(TenantSpanAttributes.POOL);
                assertTrue(pool != null && pool.startsWith(tenant + "@127.0.0.1:"), pool);
                assertFalse(span.getAttributes().asMap().toString().contains("secret"), "no credentials on spans");
            }
        }
    }

    private static boolean isCustomerQuery(SpanData span) {
        String statement = span.getAttributes().get(AttributeKey.stringKey("db.statement"));
        return statement != null && statement.contains("FROM customer");
    }

    private List<SpanData> dbSpansOf(String tenant) {
        return spans.all().stream()
                .filter(s -> s.getKind() == SpanKind.CLIENT)
                .filter(s -> tenant.equals(s.getAttributes().get(AttributeKey.stringKey("tenantgate.tenant"))))
                // The registry lookup for the tenant is traced too; the tenant's own statements run on its pool.
                .filter(s -> s.getAttributes().get(TenantSpanAttributes.POOL) != null)
                .toList();
    }
}
