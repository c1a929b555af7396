package io.tenantgate.bench.ceiling;

import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import java.util.UUID;

/**
 * The ceiling of the stack: tenantgate's {@code GET /api/customers/{id}} without tenancy. The same
 * HTTP server, JSON writer and token verification, one static pool per kind, the same statement.
 * What tenantgate costs on top of this is the cost of tenancy.
 */
@Path("/ceiling")
@RolesAllowed("user")
public class CeilingResource {

    private final Pool postgres;
    private final Pool mysql;

    public CeilingResource(@ReactiveDataSource("pg") Pool postgres, @ReactiveDataSource("my") Pool mysql) {
        this.postgres = postgres;
        this.mysql = mysql;
    }

    @GET
    @Path("/pg/customers/{id}")
    public Uni<Response> postgres(@PathParam("id") UUID id) {
        return find(postgres, true, id);
    }

    @GET
    @Path("/my/customers/{id}")
    public Uni<Response> mysql(@PathParam("id") UUID id) {
        return find(mysql, false, id);
    }

    static Uni<Response> find(Pool pool, boolean postgres, UUID id) {
        return pool.preparedQuery(Customer.select(postgres)).execute(Tuple.of(postgres ? id : id.toString()))
                .map(rows -> rows.iterator().hasNext()
                        ? Response.ok(Customer.of(rows.iterator().next(), postgres)).build()
                        : Response.status(404).build());
    }
}
