package io.tenantgate;

import io.tenantgate.testing.PackagedApplication;
import io.tenantgate.testing.SecretsLedger;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs after the whole unit and {@code @QuarkusTest} suite (failsafe follows surefire): none of the
 * passwords, keys and tokens the tests handed to the application appears in any log it wrote
 * ({@code target/test-logs/tenantgate.log*}, one file per application start), nor in the packaged
 * application's output from the integration tests ({@code target/quarkus-it.log}).
 */
class NoSecretsInLogsIT {

    @Test
    void noPasswordKeyOrTokenUsedByTheTestsAppearsInAnyLog() throws IOException {
        assertTrue(Files.exists(SecretsLedger.FILE), "the suite recorded its secrets in " + SecretsLedger.FILE);
        Set<String> secrets = new LinkedHashSet<>(Files.readAllLines(SecretsLedger.FILE));
        secrets.removeIf(String::isBlank);
        List<Path> logs = new ArrayList<>();
        for (Path dir : List.of(Path.of("target/test-logs"), Path.of("target"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(f -> f.getFileName().toString().matches("(tenantgate\\.log.*|quarkus-it.*\\.log)"))
                            .forEach(logs::add);
                }
            }
        }
        long bytes = 0;
        List<String> leaks = new ArrayList<>();
        for (Path log : logs) {
            String text = Files.readString(log);
            bytes += text.length();
            for (String secret : secrets) {
                if (text.contains(secret)) {
                    leaks.add(log + " contains a secret starting " + secret.substring(0, Math.min(6, secret.length())));
                }
            }
        }
        System.out.printf("searched %d log files (%d characters) for %d secrets%n", logs.size(), bytes, secrets.size());
        assertTrue(secrets.size() >= 20, "the suite used secrets; found " + secrets.size());
        // The packaged application's own log is always there; the @QuarkusTest logs only when the unit
        // suite ran in this build (the native run has -Dtest=NONE).
        assertTrue(logs.contains(Path.of("target/quarkus-it.log")) && bytes > 10_000, "the logs are there to search: "
                + logs);
        assertTrue(leaks.isEmpty(), String.join("\n", leaks));
    }

    /**
     * The packaged application under test was started by Quarkus's launcher, which prints its whole
     * command line into the build log: none of the secrets it was given may be on it.
     */
    @Test
    void thePackagedApplicationsCommandLineCarriesNoSecret() throws IOException {
        Set<String> secrets = new LinkedHashSet<>(Files.readAllLines(SecretsLedger.FILE));
        secrets.removeIf(String::isBlank);
        List<String> commandLines = ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(PackagedApplication::isCommandLineOf)
                .toList();
        assertTrue(!commandLines.isEmpty(), "the packaged application is running");
        for (String line : commandLines) {
            for (String secret : secrets) {
                assertTrue(!line.contains(secret), "a secret starting " + secret.substring(0, Math.min(6, secret.length()))
                        + " is on the command line " + line.substring(0, Math.min(120, line.length())) + "...");
            }
        }
    }
}
