package io.tenantgate.control.admin;

import io.smallrye.mutiny.Uni;
import io.tenantgate.control.registry.StoredPasswords;
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
 * Credentials-key rotation, for operators: {@code GET} shows the keyring and how many stored
 * passwords each key seals (read from the registry, so every replica answers the same);
 * {@code POST .../re-encrypt} moves every stored password under the current key, online (202; a
 * second call while a run is going here changes nothing and answers the same).
 */
@Path("/admin/credentials")
@RolesAllowed("operator")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Credentials")
public class CredentialsAdminResource {

    private final StoredPasswords passwords;

    public CredentialsAdminResource(StoredPasswords passwords) {
        this.passwords = passwords;
    }

    @GET
    @Operation(operationId = "getCredentialKeys",
            summary = "The keyring, and how many stored tenant passwords each key seals")
    public Uni<StoredPasswords.Census> census() {
        return passwords.census();
    }

    @POST
    @Path("/re-encrypt")
    @APIResponse(responseCode = "202", description = "Running; follow it with getCredentialKeys until notUnderCurrentKey is 0",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = StoredPasswords.Census.class)))
    @Operation(operationId = "reEncryptPasswords",
            summary = "Re-encrypt every stored tenant password under the current key, online")
    public Uni<Response> reEncrypt() {
        passwords.reEncrypt();
        return passwords.census().map(census -> Response.accepted(census).build());
    }
}
