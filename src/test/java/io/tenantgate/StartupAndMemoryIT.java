package io.tenantgate;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.PackagedApplication;
import io.tenantgate.testing.PackagedReplica;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the package under test costs to start and to run, printed so that CI shows the JVM jar
 * and the native executable side by side (the same test runs in both builds): time from launch to
 * a ready probe, resident memory when ready, and after 800 requests on both database kinds. It
 * asserts only that every request was served; the figures are for the report, not for a verdict.
 */
@QuarkusIntegrationTest
class StartupAndMemoryIT {

    @Test
    void startsServesEightHundredRequestsAndReportsItsStartTimeAndMemory() throws Exception {
        long launched = System.nanoTime();
        try (PackagedReplica replica = PackagedReplica.start("footprint")) {
            long readyMillis = (System.nanoTime() - launched) / 1_000_000;
            long rssAtReady = rssKilobytes(replica.process().pid());
            int served = 0;
            for (String tenant : List.of(DemoServers.ACME, DemoServers.GLOBEX)) {
                String token = TestTokens.forTenant(tenant);
                for (int i = 0; i < 400; i++) {
                    if (replica.status("/api/customers?size=5", token) == 200) {
                        served++;
                    }
                }
            }
            long rssAfter = rssKilobytes(replica.process().pid());
            System.out.printf("footprint (%s): ready %d ms after launch; RSS %d MB when ready, %d MB after %d requests%n",
                    PackagedApplication.isNative() ? "native executable" : "JVM jar", readyMillis, rssAtReady / 1024,
                    rssAfter / 1024, served);
            assertEquals(800, served, "every request was served");
        }
    }

    private static long rssKilobytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
