package io.tenantgate.tenant.dashboard;

import io.tenantgate.tenant.customers.Customer;

import java.util.List;
import java.util.Map;

/** A tenant at a glance. {@code reportsByStatus} lists every status, zero included. */
public record Dashboard(CustomerCounts customers, List<Customer> newestCustomers, Map<String, Long> reportsByStatus) {

    public record CustomerCounts(long total, long createdLast7Days, long createdLast30Days) {
    }
}
