package io.tenantgate.platform.openapi;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;

/**
 * Keeps {@code /dev/*} out of the document where those paths answer 404: {@code /dev/token} is
 * served only with {@code tenantgate.dev-token.enabled}, {@code /dev/spare-tenant} only in dev,
 * demo and test runs, which have the demo's spare database. Runs when the application starts,
 * since both are run-time settings. The production document, without them, is the committed
 * {@code docs/openapi.yaml}.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class DevEndpoints implements OASFilter {

    static final String TAG = "Development";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        boolean tokens = enabled("tenantgate.dev-token.enabled");
        boolean spare = tokens
                && ConfigProvider.getConfig().getOptionalValue("tenantgate.demo.spare.password", String.class).isPresent();
        if (openAPI.getPaths() != null) {
            if (!tokens) {
                openAPI.getPaths().removePathItem("/dev/token");
            }
            if (!spare) {
                openAPI.getPaths().removePathItem("/dev/spare-tenant");
            }
        }
        if (!tokens && openAPI.getTags() != null) {
            // getTags() is a read-only view: remove through the model.
            openAPI.getTags().stream().filter(tag -> TAG.equals(tag.getName())).toList().forEach(openAPI::removeTag);
        }
    }

    private static boolean enabled(String property) {
        return ConfigProvider.getConfig().getOptionalValue(property, Boolean.class).orElse(false);
    }
}
