package io.tenantgate.bench.ceiling;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The naive floor, as the field reports in {@code shared/seeds} built it: a pool per tenant, made on
 * the tenant's first request, never closed, with a per-tenant limit (the same 4 as tenantgate's
 * default) and no budget per database server. With many tenants on one server, the sum of the
 * per-tenant limits exceeds {@code max_connections} and the server starts refusing.
 */
@Path("/naive")
@RolesAllowed("user")
public class NaiveResource {

    /** {@code kind,host,port,database,user,password} of each tenant, one per line as {@code key=...}. */
    record Target(boolean postgres, String host, int port, String database, String user, String password) {
    }

    private final Vertx vertx;
    private final JsonWebToken token;
    private final Map<String, Target> targets;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();

    public NaiveResource(Vertx vertx, JsonWebToken token, @ConfigProperty(name = "bench.naive.tenants") String file) {
        this.vertx = vertx;
        this.token = token;
        try {
            this.targets = Files.readAllLines(java.nio.file.Path.of(file)).stream().filter(line -> line.contains("="))
                    .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
                            line -> parse(line.substring(line.indexOf('=') + 1))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Target parse(String value) {
        String[] f = value.split(",", 6);
        return new Target("postgresql".equals(f[0]), f[1], Integer.parseInt(f[2]), f[3], f[4], f[5]);
    }

    @GET
    @Path("/customers/{id}")
    public Uni<Response> get(@PathParam("id") UUID id) {
        String tenant = token.getClaim("tenant");
        Target target = targets.get(tenant);
        if (target == null) {
            return Uni.createFrom().item(Response.status(403).build());
        }
        return CeilingResource.find(pools.computeIfAbsent(tenant, key -> poolFor(target)), target.postgres(), id);
    }

    private Pool poolFor(Target t) {
        PoolOptions options = new PoolOptions().setMaxSize(4);
        io.vertx.sqlclient.Pool pool = t.postgres()
                ? PgBuilder.pool().with(options).using(vertx.getDelegate()).connectingTo(new PgConnectOptions()
                        .setHost(t.host()).setPort(t.port()).setDatabase(t.database()).setUser(t.user())
                        .setPassword(t.password())).build()
                : MySQLBuilder.pool().with(options).using(vertx.getDelegate()).connectingTo(new MySQLConnectOptions()
                        .setHost(t.host()).setPort(t.port()).setDatabase(t.database()).setUser(t.user())
                        .setPassword(t.password())).build();
        return Pool.newInstance(pool);
    }
}
