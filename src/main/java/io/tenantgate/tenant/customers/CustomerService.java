package io.tenantgate.tenant.customers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.failure.DatabaseFailures;
import io.tenantgate.platform.failure.Idempotence;
import io.tenantgate.platform.problem.ProblemException;
import io.tenantgate.tenant.idempotency.IdempotencyKeys;
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
    private final IdempotencyKeys idempotencyKeys;
    private final ObjectMapper json;

    public CustomerService(TenantSql sql, IdempotencyKeys idempotencyKeys, ObjectMapper json) {
        this.sql = sql;
        this.idempotencyKeys = idempotencyKeys;
        this.json = json;
    }

    public Uni<CustomerPage> list(TenantRoute tenant, String query, int page, int size) {
        return sql.withConnection(tenant, (c, dialect) -> CustomerSql.page(c, dialect, query, page, size));
    }

    public Uni<Customer> get(TenantRoute tenant, UUID id) {
        return sql.withConnection(tenant, (c, dialect) -> CustomerSql.find(c, dialect, id)).map(found -> orNotFound(found, id));
    }

    /** Creates a customer. Not retried once it may have reached the database: a repeat could add a twin. */
    public Uni<Customer> create(TenantRoute tenant, CustomerInput input) {
        Customer customer = newCustomer(input);
        return sql.withTransaction(tenant, Idempotence.ONCE, (c, dialect) -> CustomerSql.insert(c, dialect, customer))
                .onFailure(DatabaseFailures::isUniqueViolation).transform(e -> duplicate(customer.email()))
                .replaceWith(customer);
    }

    /**
     * Creates a customer at most once per {@code idempotencyKey}: a repeat (concurrent, or a retry
     * after a lost reply) gets the first response, byte for byte, and adds nothing. Because of that,
     * this write is retried on transient failures like a read.
     */
    public Uni<IdempotencyKeys.StoredResponse> create(TenantRoute tenant, CustomerInput input, String idempotencyKey) {
        String key = IdempotencyKeys.validKey(idempotencyKey);
        CustomerInput normalized = new CustomerInput(input.name().strip(), normalize(input.email()),
                blankToNull(input.phone()));
        return idempotencyKeys.once(tenant, key, "POST /api/customers " + body(normalized), (c, dialect) -> {
                    Customer customer = newCustomer(normalized);
                    return CustomerSql.insert(c, dialect, customer).map(done -> new IdempotencyKeys.Outcome(201,
                            "api/customers/" + customer.id(), body(customer)));
                })
                .onFailure(DatabaseFailures::isUniqueViolation).transform(e -> duplicate(normalized.email()));
    }

    private String body(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a customer always serialises", e);
        }
    }

    private static Customer newCustomer(CustomerInput input) {
        OffsetDateTime now = now();
        return new Customer(UUID.randomUUID(), input.name().strip(), normalize(input.email()),
                blankToNull(input.phone()), now, now, 1);
    }

    /**
     * Replaces a customer. With {@code expectedVersion} (the client's {@code If-Match}) it changes
     * the customer only if nobody changed it since: 412 otherwise, and nothing is changed.
     */
    public Uni<Customer> update(TenantRoute tenant, UUID id, CustomerInput input, Long expectedVersion) {
        CustomerInput normalized = new CustomerInput(input.name().strip(), normalize(input.email()),
                blankToNull(input.phone()));
        // A full replacement may be repeated; a conditional one may not: its repeat would find the
        // version it set and answer 412 for a change that succeeded.
        Idempotence idempotence = expectedVersion == null ? Idempotence.REPEATABLE : Idempotence.ONCE;
        return sql.withTransaction(tenant, idempotence, (c, dialect) -> CustomerSql.update(c, dialect, id, normalized, now(),
                                expectedVersion)
                        .chain(updated -> CustomerSql.find(c, dialect, id).map(found -> {
                            if (found != null && updated == 0) {
                                throw new ProblemException(412, "stale-version", "Precondition failed",
                                        "the customer was changed since you read it; it is now at version "
                                                + found.version() + ": read it again");
                            }
                            return found;
                        })))
                .onFailure(DatabaseFailures::isUniqueViolation).transform(e -> duplicate(normalized.email()))
                .map(found -> orNotFound(found, id));
    }

    public Uni<Void> delete(TenantRoute tenant, UUID id) {
        // Not repeated after it may have run: a repeat of a done delete would answer 404.
        return sql.withTransaction(tenant, Idempotence.ONCE, (c, dialect) -> CustomerSql.delete(c, dialect, id)).map(deleted -> {
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

    /**
     * Lower-cased and stripped, then checked again: some letters grow when lower-cased ({@code İ}
     * becomes two characters), so an address that passed validation could outgrow its column.
     */
    private static String normalize(String email) {
        String normalized = email.strip().toLowerCase(Locale.ROOT);
        if (normalized.length() > CustomerInput.EMAIL_MAX) {
            throw ProblemException.invalid("email", "at most " + CustomerInput.EMAIL_MAX + " characters once lower-cased");
        }
        return normalized;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
