package io.tenantgate.customers;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.RealDatabases;

/** The customers contract on MariaDB, through the demo tenant {@code acme}. */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
class MysqlCustomersTest extends CustomersApiContract {

    @Override
    String tenant() {
        return DemoServers.ACME;
    }
}
