package io.tenantgate.platform.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tenantgate.client.ApiClient;
import io.tenantgate.client.ApiException;
import io.tenantgate.client.ApiResponse;
import io.tenantgate.client.api.CustomersApi;
import io.tenantgate.client.api.DashboardApi;
import io.tenantgate.client.api.PermissionsApi;
import io.tenantgate.client.api.ReportsApi;
import io.tenantgate.client.api.TenantAdminApi;
import io.tenantgate.client.model.Customer;
import io.tenantgate.client.model.CustomerInput;
import io.tenantgate.client.model.CustomerPage;
import io.tenantgate.client.model.Dashboard;
import io.tenantgate.client.model.DatabaseKind;
import io.tenantgate.client.model.NewTenant;
import io.tenantgate.client.model.Problem;
import io.tenantgate.client.model.ReportInput;
import io.tenantgate.client.model.ReportPage;
import io.tenantgate.client.model.ReportRequest;
import io.tenantgate.client.model.ReportTemplate;
import io.tenantgate.client.model.TenantInfo;
import io.tenantgate.client.model.TenantList;
import io.tenantgate.client.model.TenantView;
import io.tenantgate.client.model.TlsMode;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's "Try it", driven only through the Java client openapi-generator makes from the committed
 * contract (docs/openapi.yaml), against the packaged application: if a generated client cannot do
 * the walkthrough, the contract is wrong. No hand-written HTTP here; tokens are signed by the test,
 * as an identity provider would sign them.
 */
@QuarkusIntegrationTest
class GeneratedClientWalkthroughIT {

    @TestHTTPResource("/")
    URL base;

    private ApiClient as(String token) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base.toString().replaceAll("/$", ""));
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        return client;
    }

    private static Problem problem(ApiException e) throws Exception {
        return ApiClient.createDefaultObjectMapper().readValue(e.getResponseBody(), Problem.class);
    }

    @Test
    void aGeneratedClientRunsTheWalkthroughWithTypedAnswersAndTypedProblems() throws Exception {
        CustomersApi acme = new CustomersApi(as(TestTokens.forTenant(DemoServers.ACME, "user")));
        CustomersApi globex = new CustomersApi(as(TestTokens.forTenant(DemoServers.GLOBEX, "user")));
        String run = UUID.randomUUID().toString().substring(0, 8);

        // Create, list, search: the 201 carries Location, the body is a typed Customer.
        ApiResponse<Customer> created = acme.createCustomerWithHttpInfo(
                new CustomerInput().name("Wile E. Coyote").email("wile-" + run + "@acme.example").phone("+1 555 0123"),
                null);
        assertEquals(201, created.getStatusCode());
        Customer wile = created.getData();
        assertTrue(created.getHeaders().get("Location").get(0).endsWith("/api/customers/" + wile.getId()));
        CustomerPage page = acme.listCustomers(0, null, 20);
        assertTrue(page.getItems().stream().anyMatch(c -> c.getId().equals(wile.getId())), "listed");
        assertEquals(1, acme.listCustomers(null, "wile-" + run, null).getTotal(), "found by search");

        // globex lives on PostgreSQL; acme cannot read its customer even by id: a typed 404 problem.
        Customer hank = globex.createCustomer(new CustomerInput().name("Hank Scorpio").email("hank-" + run + "@globex.example"), null);
        ApiException hidden = assertThrows(ApiException.class, () -> acme.getCustomer(hank.getId()));
        assertEquals(404, hidden.getCode());
        assertEquals("urn:tenantgate:problem:customer-not-found", problem(hidden).getType());

        // Reports: templates, a request with its template embedded, the page, the dashboard.
        for (String tenant : List.of(DemoServers.ACME, DemoServers.GLOBEX)) {
            ApiClient client = as(TestTokens.forTenant(tenant, "user"));
            ReportsApi reports = new ReportsApi(client);
            ReportTemplate template = reports.listReportTemplates().get(0);
            ApiResponse<ReportRequest> filed = reports.createReportWithHttpInfo(
                    new ReportInput().templateId(template.getId().toString()).title("All customers " + run));
            assertEquals(201, filed.getStatusCode());
            assertEquals(template.getName(), filed.getData().getTemplate().getName(), "the template is embedded");
            assertEquals("\"" + filed.getData().getVersion() + "\"", filed.getHeaders().get("ETag").get(0));
            ReportPage listed = reports.listReports(0, 20, null);
            assertTrue(listed.getItems().stream().anyMatch(r -> r.getId().equals(filed.getData().getId())));
            Dashboard dashboard = new DashboardApi(client).getDashboard();
            assertTrue(dashboard.getCustomers().getTotal() >= 1, tenant + "'s dashboard counts its customers");
        }
        assertTrue(new PermissionsApi(as(TestTokens.forTenant(DemoServers.ACME, "user"))).getPermissions()
                .getPermissions().contains("customers:read"));
        TenantInfo info = new DashboardApi(as(TestTokens.forTenant(DemoServers.GLOBEX, "user"))).getTenantInfo();
        assertEquals(io.tenantgate.client.model.DatabaseKind.POSTGRESQL, info.getKind());

        // A retry with the same Idempotency-Key: one customer, the stored answer replayed.
        String key = "walkthrough-" + run;
        CustomerInput once = new CustomerInput().name("Road Runner").email("beep-" + run + "@acme.example");
        ApiResponse<Customer> first = acme.createCustomerWithHttpInfo(once, key);
        ApiResponse<Customer> retry = acme.createCustomerWithHttpInfo(once, key);
        assertEquals(first.getData().getId(), retry.getData().getId(), "the retry answers the first customer");
        assertEquals("true", retry.getHeaders().get("Idempotent-Replayed").get(0));
        assertEquals(1, acme.listCustomers(null, "beep-" + run, null).getTotal(), "one customer, not two");

        // Optimistic concurrency: a PUT with the ETag read succeeds, one with a stale ETag is a typed 412.
        ApiResponse<Customer> read = acme.getCustomerWithHttpInfo(wile.getId());
        String etag = read.getHeaders().get("ETag").get(0);
        ApiResponse<Customer> changed = acme.updateCustomerWithHttpInfo(wile.getId(),
                new CustomerInput().name("Wile E. Coyote, Genius").email(wile.getEmail()), etag);
        assertNotEquals(etag, changed.getHeaders().get("ETag").get(0), "a new version");
        ApiException stale = assertThrows(ApiException.class, () -> acme.updateCustomer(wile.getId(),
                new CustomerInput().name("Wile E. Coyote, Again").email(wile.getEmail()), etag));
        assertEquals(412, stale.getCode());
        assertEquals("urn:tenantgate:problem:stale-version", problem(stale).getType());

        // An operator adds a tenant at run time; its users are served at once.
        TenantAdminApi admin = new TenantAdminApi(as(TestTokens.operator()));
        String tenant = FreshTenants.key("gen");
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        EmbeddedServer server = FreshTenants.server(io.tenantgate.governor.route.DatabaseKind.POSTGRESQL);
        server.createUser(tenant, password, 0);
        server.createDatabase(tenant.replace('-', '_'), tenant);
        TenantView added = admin.createTenant(new NewTenant().key(tenant).displayName("Initech " + run)
                .kind(DatabaseKind.POSTGRESQL).host(server.host()).port(server.port())
                .database(tenant.replace('-', '_')).username(tenant).password(password).tlsMode(TlsMode.DISABLED));
        assertEquals(tenant, added.getKey());
        CustomersApi initech = new CustomersApi(as(TestTokens.forTenant(tenant, "user")));
        initech.createCustomer(new CustomerInput().name("Peter Gibbons").email("peter@initech.example"), null);
        assertEquals(1, initech.listCustomers(null, null, null).getTotal());
        TenantList tenants = admin.listTenants(null, 0, 500, null);
        assertTrue(tenants.getItems().stream().anyMatch(t -> t.getKey().equals(tenant)), "listed by the operator");
    }
}
