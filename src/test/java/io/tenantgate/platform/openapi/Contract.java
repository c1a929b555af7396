package io.tenantgate.platform.openapi;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed API contract, {@code docs/openapi.yaml}, read by swagger-parser (the parser
 * openapi-generator uses): its operations by {@code operationId} and the parser's complaints.
 */
final class Contract {

    static final Path FILE = Path.of("docs/openapi.yaml");

    final OpenAPI document;
    final List<String> messages;

    private Contract(SwaggerParseResult result) {
        this.document = result.getOpenAPI();
        this.messages = result.getMessages() == null ? List.of() : result.getMessages();
    }

    static Contract committed() {
        try {
            return parse(Files.readString(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Contract parse(String text) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new Contract(new OpenAPIV3Parser().readContents(text, null, options));
    }

    /** Every operation by its operationId. */
    Map<String, Operation> operations() {
        Map<String, Operation> operations = new LinkedHashMap<>();
        document.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) ->
                operations.put(operation.getOperationId() == null ? method + " " + path : operation.getOperationId(),
                        operation)));
        return operations;
    }
}
