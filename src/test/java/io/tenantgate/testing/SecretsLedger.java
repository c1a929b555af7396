package io.tenantgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Every secret the tests hand to the application (tenant passwords, bearer tokens), written down
 * so {@code NoSecretsInLogsIT} can prove none of them ever reached a log line.
 */
public final class SecretsLedger {

    public static final Path FILE = Path.of("target/test-secrets.txt");

    private SecretsLedger() {
    }

    public static synchronized String record(String secret) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, secret + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return secret;
    }
}
