package io.tenantgate.control.migration;

import io.smallrye.mutiny.Uni;
import io.tenantgate.platform.problem.ProblemException;
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
import org.jboss.logging.Logger;

/**
 * The fleet upgrade, for operators: {@code GET} shows the current or last run as its runner
 * published it (counts, the runner, and every tenant not yet upgraded with its error), the same on
 * every replica; {@code POST} starts a run on this replica (202), or answers 409 while one is going
 * here or on another replica.
 */
@Path("/admin/migrations")
@RolesAllowed("operator")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Migrations")
public class MigrationAdminResource {

    private static final Logger LOG = Logger.getLogger(MigrationAdminResource.class);

    private final FleetMigrations fleet;

    public MigrationAdminResource(FleetMigrations fleet) {
        this.fleet = fleet;
    }

    @GET
    @Operation(operationId = "getMigrationProgress", summary = "Progress of the fleet's tenant schema migration")
    public Uni<FleetMigrations.Progress> progress() {
        return fleet.fleetProgress();
    }

    @POST
    @APIResponse(responseCode = "202", description = "Started; follow it with getMigrationProgress",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = FleetMigrations.Progress.class)))
    @Operation(operationId = "startMigration", summary = "Migrate every tenant's schema to this version's, a few at a time")
    public Uni<Response> start() {
        return fleet.start()
                .onFailure().transform(failure -> {
                    LOG.warnf("registry unavailable: %s", failure.toString());
                    return ProblemException.registryUnavailable();
                })
                .chain(started -> {
                    if (!started) {
                        return fleet.fleetProgress().map(progress -> {
                            throw new ProblemException(409, "migration-running", "Conflict",
                                    "a fleet upgrade is already running" + (progress.runner() == null ? ""
                                            : " on replica " + progress.runner()) + "; see GET /admin/migrations");
                        });
                    }
                    return fleet.fleetProgress().map(progress -> Response.accepted(progress).build());
                });
    }
}
