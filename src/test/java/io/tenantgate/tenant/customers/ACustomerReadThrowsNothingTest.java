package io.tenantgate.tenant.customers;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TenantApi;
import io.tenantgate.testing.TestTokens;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The success path of a tenant's read creates no exception at all: an exception costs a stack
 * walk on every request (smallrye-jwt's custom-claim lookup and a race of two {@code Uni}s once cost
 * four per read). Counted with JFR's {@code jdk.JavaExceptionThrow} event, which fires in every
 * {@code Throwable} constructor, over warm requests on the service's own threads. Counts, not
 * timings.
 */
@QuarkusTest
class ACustomerReadThrowsNothingTest {

    private static final int REQUESTS = 50;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void aWarmCustomerReadCreatesNoThrowable(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("nothrow"));
        String id = TenantApi.as(tenant.key()).post("/api/customers", TenantApi.customer("Ada", "ada@example.com"))
                .statusCode(201).extract().path("id");
        String token = TestTokens.forTenant(tenant.key());
        String path = "/api/customers/" + id;
        for (int i = 0; i < REQUESTS; i++) { // warm: pool, route and permission caches, JIT-independent
            assertEquals("200", LoadClients.call(port, path, token));
        }

        Path file = Files.createTempFile("throwables", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.JavaExceptionThrow").withStackTrace();
            recording.enable("jdk.JavaErrorThrow").withStackTrace();
            recording.start();
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals("200", LoadClients.call(port, path, token));
            }
            recording.stop();
            recording.dump(file);
        }
        try {
            List<RecordedEvent> service = RecordingFile.readAllEvents(file).stream()
                    .filter(event -> event.getThread() != null && isServiceThread(event.getThread().getJavaName()))
                    .toList();
            assertEquals(0, service.size(), () -> service.size() + " throwables created while serving " + REQUESTS
                    + " reads; first ones:\n" + service.stream().limit(5).map(ACustomerReadThrowsNothingTest::describe)
                    .collect(Collectors.joining("\n")));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Threads that serve requests: Vert.x event loops and workers, Quarkus's executor. Not the test's HTTP client. */
    private static boolean isServiceThread(String name) {
        return name != null && (name.startsWith("vert.x-") || name.startsWith("executor-thread"));
    }

    private static String describe(RecordedEvent event) {
        String type = event.getClass("thrownClass") == null ? "?" : event.getClass("thrownClass").getName();
        List<RecordedFrame> frames = event.getStackTrace() == null ? List.of() : event.getStackTrace().getFrames();
        return type + " on " + event.getThread().getJavaName() + "\n    " + frames.stream().limit(14)
                .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber())
                .collect(Collectors.joining("\n    "));
    }
}
