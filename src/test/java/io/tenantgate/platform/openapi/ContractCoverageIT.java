package io.tenantgate.platform.openapi;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.tenantgate.platform.problem.Problem;
import io.tenantgate.testing.ObservedAnswers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every answer the test suite observed ({@link ObservedAnswers}: operation, status, problem type)
 * is declared by the committed contract for that operation, so a client generated from it knows
 * every answer the service really gives. Runs after the unit and {@code @QuarkusTest} tests, which
 * make the observations; a build that ran none of them (the native phase runs only the *IT tests)
 * has nothing to check and says so.
 */
class ContractCoverageIT {

    @Test
    void everyAnswerTheTestsObservedIsDeclaredForItsOperation() throws IOException {
        assumeTrue(Files.exists(ObservedAnswers.FILE), "no @QuarkusTest ran in this build: nothing observed");
        List<String> observed = Files.readAllLines(ObservedAnswers.FILE);
        Map<String, Operation> operations = Contract.committed().operations();
        Set<String> undeclared = new TreeSet<>();
        Set<String> seenOperations = new TreeSet<>();
        for (String line : observed) {
            String[] fields = line.split("\t");
            String operationId = fields[0];
            String status = fields[1];
            String type = fields[2];
            Operation operation = operations.get(operationId);
            if (operation == null) {
                // Dev endpoints are served under test but are not in the production contract.
                if (!operationId.equals("getDevToken") && !operationId.equals("getSpareTenant")) {
                    undeclared.add(line.replace('\t', ' ') + " (no such operation)");
                }
                continue;
            }
            seenOperations.add(operationId);
            ApiResponse response = operation.getResponses().get(status);
            if (response == null) {
                undeclared.add(operationId + " " + status + " " + type + " (status not declared)");
            } else if (!type.equals("-") && !declaresType(response, type)) {
                undeclared.add(operationId + " " + status + " " + type + " (type not declared)");
            }
        }
        System.out.println("answers observed: " + observed.size() + " over " + seenOperations.size() + " of "
                + operations.size() + " operations");
        assertTrue(observed.size() > 50, "the suite's answers were recorded: " + observed.size());
        assertEquals(Set.of(), undeclared, "answers the service gives that its contract does not declare");
    }

    private static boolean declaresType(ApiResponse response, String type) {
        if (response.getContent() == null) {
            return false;
        }
        MediaType problem = response.getContent().get("application/problem+json");
        return problem != null && problem.getExamples() != null
                && problem.getExamples().containsKey(type.substring(Problem.TYPE_PREFIX.length()));
    }
}
