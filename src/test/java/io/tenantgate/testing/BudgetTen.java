package io.tenantgate.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * One application for every test that needs a small server budget it can fill: {@value #BUDGET}
 * connections per server, short idle timeouts so pools and connections retire within a test, and
 * short bounded waits so overload is answered within a test too.
 */
public class BudgetTen implements QuarkusTestProfile {

    public static final int BUDGET = 10;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("tenantgate.budget.default-per-server", Integer.toString(BUDGET),
                "tenantgate.pool.idle-timeout", "1s",
                "tenantgate.pool.pool-idle-timeout", "3s",
                "tenantgate.pool.acquire-timeout", "2s",
                "tenantgate.pool.max-wait-queue", "32");
    }
}
