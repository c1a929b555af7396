package io.tenantgate.customers;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.DatabaseErrors;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.problem.ProblemException;
import io.tenantgate.registry.TenantRoute;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

/**
 * Customer rules, the same for both database kinds. Emails are stored lower-case and unique per
 * tenant; a duplicate is a 409, found by the database's own unique constraint (no racy pre-check).
 */
@ApplicationScoped
public class CustomerService {

    private final TenantSql sql;
    private final CustomerRepository repository;

    public CustomerService(TenantSql sql, CustomerRepository repository) {
        this.sql = sql;
        this.repository = repository;
    }

    public Uni<CustomerPage> list(TenantRoute tenant, String query, int page, int size) {
        CustomerSql dialect = CustomerSql.of(tenant.kind());
        return sql.withConnection(tenant, c -> repository.page(c, dialect, query, page, size));
    }

    public Uni<Customer> get(TenantRoute tenant, UUID id) {
        CustomerSql dialect = CustomerSql.of(tenant.kind());
        return sql.withConnection(tenant, c -> repository.find(c, dialect, id)).map(found -> orNotFound(found, id));
    }

    public Uni<Customer> create(TenantRoute tenant, CustomerInput input) {
        CustomerSql dialect = CustomerSql.of(tenant.kind());
        OffsetDateTime now = now();
        Customer customer = new Customer(UUID.randomUUID(), input.name().strip(), normalize(input.email()),
                blankToNull(input.phone()), now, now);
        return sql.withTransaction(tenant, c -> repository.insert(c, dialect, customer))
                .onFailure(DatabaseErrors::isUniqueViolation).transform(e -> duplicate(customer.email()))
                .replaceWith(customer);
    }

    public Uni<Customer> update(TenantRoute tenant, UUID id, CustomerInput input) {
        CustomerSql dialect = CustomerSql.of(tenant.kind());
        CustomerInput normalized = new CustomerInput(input.name().strip(), normalize(input.email()),
                blankToNull(input.phone()));
        return sql.withTransaction(tenant, c -> repository.update(c, dialect, id, normalized, now())
                        .chain(updated -> updated == 0 ? Uni.createFrom().nullItem() : repository.find(c, dialect, id)))
                .onFailure(DatabaseErrors::isUniqueViolation).transform(e -> duplicate(normalized.email()))
                .map(found -> orNotFound(found, id));
    }

    public Uni<Void> delete(TenantRoute tenant, UUID id) {
        CustomerSql dialect = CustomerSql.of(tenant.kind());
        return sql.withTransaction(tenant, c -> repository.delete(c, dialect, id)).map(deleted -> {
            if (deleted == 0) {
                throw notFound(id);
            }
            return null;
        });
    }

    private static Customer orNotFound(Customer customer, UUID id) {
        if (customer == null) {
            throw notFound(id);
        }
        return customer;
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("customer-not-found", "no customer " + id);
    }

    private static ProblemException duplicate(String email) {
        return new ProblemException(409, "duplicate-email", "Conflict", "a customer with email " + email
                + " already exists");
    }

    private static String normalize(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
