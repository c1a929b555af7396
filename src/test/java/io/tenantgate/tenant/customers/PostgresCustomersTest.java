package io.tenantgate.tenant.customers;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.DemoServers;

/** The customers contract on PostgreSQL, through the demo tenant {@code globex}. */
@QuarkusTest
class PostgresCustomersTest extends CustomersApiContract {

    @Override
    String tenant() {
        return DemoServers.GLOBEX;
    }
}
