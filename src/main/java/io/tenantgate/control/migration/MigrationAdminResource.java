package io.tenantgate.control.migration;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The fleet upgrade, for operators: {@code GET} shows the current or last run (counts, and every
 * tenant not yet upgraded with its error); {@code POST} starts a run (202), or answers 409 while
 * one is going.
 */
@Path("/admin/migrations")
@RolesAllowed("operator")
@Produces(MediaType.APPLICATION_JSON)
public class MigrationAdminResource {

    private final FleetMigrations fleet;

    public MigrationAdminResource(FleetMigrations fleet) {
        this.fleet = fleet;
    }

    @GET
    public FleetMigrations.Progress progress() {
        return fleet.progress();
    }

    @POST
    public Response start() {
        if (!fleet.start()) {
            throw new io.tenantgate.platform.problem.ProblemException(409, "migration-running", "Conflict",
                    "a fleet upgrade is already running; see GET /admin/migrations");
        }
        return Response.accepted(fleet.progress()).build();
    }
}
