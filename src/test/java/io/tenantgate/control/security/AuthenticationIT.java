package io.tenantgate.control.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Disabled;

/** Token checks against the packaged application in the prod profile. */
@QuarkusIntegrationTest
class AuthenticationIT extends AuthenticationTest {

    @Override
    @Disabled("/dev/token does not exist in prod; DevTokenAbsentInProdIT checks that")
    void devTokenIsServedOutsideProdAndWorks() {
    }
}
