package io.tenantgate.tenant.customers;

import java.util.List;

/** One page of customers, newest first, with the total matching the search. */
public record CustomerPage(List<Customer> items, int page, int size, long total) {
}
