package io.tenantgate.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the integration tests run: the packaged jar, or, in the native build ({@code -Pnative}),
 * the native executable (failsafe then sets {@code tenantgate.test.executable}). Tests that start
 * extra instances themselves start the same thing the Quarkus launcher does.
 */
public final class PackagedApplication {

    private PackagedApplication() {
    }

    /** The native executable under test, or {@code null} when the tests run against the jar. */
    public static Path executable() {
        String path = System.getProperty("tenantgate.test.executable");
        return path == null || path.isBlank() ? null : Path.of(path).toAbsolutePath();
    }

    public static boolean isNative() {
        return executable() != null;
    }

    /** The command that starts the packaged application with these {@code -Dname=value} options. */
    public static List<String> command(List<String> options) {
        List<String> command = new ArrayList<>();
        Path executable = executable();
        if (executable != null) {
            if (!Files.isExecutable(executable)) {
                throw new IllegalStateException("no native executable at " + executable);
            }
            command.add(executable.toString());
            command.addAll(options);
            return command;
        }
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package the application first: no " + jar);
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    /** Whether a process's command line is one of the packaged application's. */
    public static boolean isCommandLineOf(String commandLine) {
        Path executable = executable();
        return executable != null ? commandLine.contains(executable.getFileName().toString())
                : commandLine.contains("quarkus-run.jar");
    }
}
