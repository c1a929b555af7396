package io.tenantgate.testing;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The management interface of the application under test: probes ({@code /q/health/*}) and
 * metrics ({@code /q/metrics}) are served there, never on the API port.
 */
public final class Management {

    private Management() {
    }

    /** The management port of the {@code @QuarkusTest} application ({@code quarkus.management.test-port}). */
    public static int port() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
    }

    /** A RestAssured request to the management interface. */
    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }
}
