package io.tenantgate.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another instance of the packaged service (the jar, or the native executable in the native build;
 * see {@link PackagedApplication}), in the prod profile, on the test's servers,
 * registry and keys, on a port of its own: what Kubernetes runs as a second pod. A test may stop it
 * with a signal without touching the instance the rest of the suite uses.
 */
public final class PackagedReplica implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final int managementPort;

    private PackagedReplica(Process process, int port, int managementPort) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts it and returns once its readiness probe answers 200 (within 90 s). */
    public static PackagedReplica start(String name) throws IOException, InterruptedException {
        return start(name, java.util.Map.of());
    }

    /**
     * Starts it with extra settings on top of the shared configuration. The configuration reaches the
     * process as a file only it can read, never on its command line, where every secret in it would
     * show up in {@code ps} and in build logs.
     */
    public static PackagedReplica start(String name, java.util.Map<String, String> extra)
            throws IOException, InterruptedException {
        int port = freePort();
        int managementPort = freePort();
        java.util.Map<String, String> config = new java.util.LinkedHashMap<>(RealDatabases.servers().config());
        config.putAll(extra);
        Path configFile = RealDatabases.privateConfigFile("replica-" + name, config);
        List<String> command = PackagedApplication.command(List.of(
                "-Dquarkus.config.locations=" + configFile.toUri(),
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of("target/quarkus-it-" + name + ".log").toFile()).start();
        PackagedReplica replica = new PackagedReplica(process, port, managementPort);
        if (!Await.until(() -> replica.managementStatus("/q/health/ready") == 200, 180)) {
            replica.close();
            throw new IllegalStateException("replica " + name + " was not ready in 180 s");
        }
        return replica;
    }

    /**
     * Starts it expecting start-up to be refused: waits up to 120 s for the process to exit and
     * returns its exit code and log. Fails if it is still running then (it was not refused).
     */
    public static Refusal startRefused(String name, java.util.Map<String, String> extra)
            throws IOException, InterruptedException {
        java.util.Map<String, String> config = new java.util.LinkedHashMap<>(RealDatabases.servers().config());
        config.putAll(extra);
        Path configFile = RealDatabases.privateConfigFile("replica-" + name, config);
        Path log = Path.of("target/quarkus-it-" + name + ".log");
        Process process = new ProcessBuilder(PackagedApplication.command(List.of(
                "-Dquarkus.config.locations=" + configFile.toUri(),
                "-Dquarkus.http.port=" + freePort(),
                "-Dquarkus.management.port=" + freePort()))).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("replica " + name + " was still running after 120 s: start-up was not refused");
        }
        return new Refusal(process.exitValue(), java.nio.file.Files.readString(log));
    }

    /** How a refused start-up ended: the exit code and everything the process wrote. */
    public record Refusal(int exitCode, String log) {
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The status of a GET on the management interface (probes, metrics), or -1 when nothing answered. */
    public int managementStatus(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path)).GET(), null)
                .statusCode();
    }

    public int managementPort() {
        return managementPort;
    }

    /**
     * A duration as the packaged application reads it in the prod profile from its
     * application.properties (what every replica started here runs with).
     */
    public static Duration prodDuration(String property) {
        try {
            io.smallrye.config.SmallRyeConfig config = new io.smallrye.config.SmallRyeConfigBuilder()
                    .withProfile("prod")
                    .addDefaultInterceptors()
                    .withSources(new io.smallrye.config.PropertiesConfigSource(
                            Path.of("src/main/resources/application.properties").toUri().toURL(), 250))
                    .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                    .build();
            return config.getValue(property, Duration.class);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    /** The status of a GET, or -1 when nothing answered (refused, reset, timed out). */
    public int status(String path, String token) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), token).statusCode();
    }

    public HttpResponse<String> send(HttpRequest.Builder request, String token) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            if (!(e instanceof java.net.ConnectException)) { // refused while starting or after exit: expected
                System.err.println("unanswered " + request.build().method() + " " + request.build().uri() + ": " + e);
            }
            return new Unanswered(request.build());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Unanswered(request.build());
        }
    }

    public URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** Stops it the way Kubernetes does (SIGTERM), then forcibly if it has not exited in 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** A request that got no HTTP answer at all. */
    private record Unanswered(HttpRequest request) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return -1;
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true);
        }

        @Override
        public String body() {
            return "";
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
