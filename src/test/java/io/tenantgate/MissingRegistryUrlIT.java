package io.tenantgate;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "package the application first");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Dquarkus.http.port=0", "-jar", jar.toString())
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
