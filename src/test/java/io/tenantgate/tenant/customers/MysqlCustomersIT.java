package io.tenantgate.tenant.customers;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The customers contract on MariaDB against the packaged application in the prod profile. */
@QuarkusIntegrationTest
class MysqlCustomersIT extends MysqlCustomersTest {
}
