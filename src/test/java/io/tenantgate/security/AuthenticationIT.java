package io.tenantgate.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;

/** Token checks against the packaged application in the prod profile. */
@QuarkusIntegrationTest
@Tag("native-smoke")
class AuthenticationIT extends AuthenticationTest {

    @Override
    @Disabled("/dev/token does not exist in prod; DevTokenAbsentInProdIT checks that")
    void devTokenIsServedOutsideProdAndWorks() {
    }
}
