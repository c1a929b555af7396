package io.tenantgate.testing;

import io.tenantgate.platform.problem.Problem;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records every answer the {@code @QuarkusTest} suite gets from a resource method: the operation's
 * {@code operationId}, the status and, for a problem, its {@code type}, one line each in
 * {@link #FILE}. {@code ContractCoverageIT} then checks that the committed contract declares every
 * one of them for that operation. Test scope only: {@code @QuarkusTest} runs the test classes as
 * part of the application, the packaged application never has it.
 */
public class ObservedAnswers {

    public static final Path FILE = Path.of("target/contract/observed-answers.tsv");

    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    @ServerResponseFilter
    public void record(ContainerResponseContext response, ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        Operation annotation = method == null ? null : method.getAnnotation(Operation.class);
        if (annotation == null || annotation.operationId().isBlank()) {
            return; // not an operation of the contract (the tests' own endpoints)
        }
        String operation = annotation.operationId();
        String type = response.getEntity() instanceof Problem problem ? problem.type() : "-";
        String line = operation + "\t" + response.getStatus() + "\t" + type;
        if (SEEN.add(line)) {
            append(line);
        }
    }

    private static synchronized void append(String line) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
