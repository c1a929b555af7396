package io.tenantgate.tenant.customers;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.DemoServers;

/** The customers contract on MariaDB, through the demo tenant {@code acme}. */
@QuarkusTest
class MysqlCustomersTest extends CustomersApiContract {

    @Override
    String tenant() {
        return DemoServers.ACME;
    }
}
