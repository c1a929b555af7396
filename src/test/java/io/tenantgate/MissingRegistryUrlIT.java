package io.tenantgate;

import io.tenantgate.testing.PackagedApplication;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production package never starts embedded servers: with no registry configured it refuses to
 * start and says which property is missing.
 */
class MissingRegistryUrlIT {

    @Test
    void prodStartWithoutRegistryUrlFailsNamingTheProperty() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(PackagedApplication.command(List.of("-Dquarkus.http.port=0",
                "-Dquarkus.management.port=0")))
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            process.destroyForcibly();
        }
        assertTrue(exited, "start-up must fail, not hang:\n" + output);
        assertNotEquals(0, process.exitValue());
        assertTrue(output.contains("tenantgate.registry.url"), output);
        assertTrue(!output.contains("embedded"), "prod must not try embedded servers:\n" + output);
    }
}
