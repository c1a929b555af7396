package io.tenantgate.customers;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Tag;

/** The customers contract on PostgreSQL against the packaged application in the prod profile. */
@QuarkusIntegrationTest
@Tag("native-smoke")
class PostgresCustomersIT extends PostgresCustomersTest {
}
