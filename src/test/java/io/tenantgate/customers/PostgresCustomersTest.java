package io.tenantgate.customers;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.RealDatabases;

/** The customers contract on PostgreSQL, through the demo tenant {@code globex}. */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
class PostgresCustomersTest extends CustomersApiContract {

    @Override
    String tenant() {
        return DemoServers.GLOBEX;
    }
}
