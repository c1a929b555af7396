package io.tenantgate.control.migration;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The fleet upgrade, for operators: {@code GET} shows the current or last run (counts, and every
 * tenant not yet upgraded with its error); {@code POST} starts a run (202), or answers 409 while
 * one is going.
 */
@Path("/admin/migrations")
@RolesAllowed("operator")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Migrations")
public class MigrationAdminResource {

    private final FleetMigrations fleet;

    public MigrationAdminResource(FleetMigrations fleet) {
        this.fleet = fleet;
    }

    @GET
    @Operation(operationId = "getMigrationProgress", summary = "Progress of the fleet's tenant schema migration")
    public FleetMigrations.Progress progress() {
        return fleet.progress();
    }

    @POST
    @APIResponse(responseCode = "202", description = "Started; follow it with getMigrationProgress",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = FleetMigrations.Progress.class)))
    @Operation(operationId = "startMigration", summary = "Migrate every tenant's schema to this version's, a few at a time")
    public Response start() {
        if (!fleet.start()) {
            throw new io.tenantgate.platform.problem.ProblemException(409, "migration-running", "Conflict",
                    "a fleet upgrade is already running; see GET /admin/migrations");
        }
        return Response.accepted(fleet.progress()).build();
    }
}
