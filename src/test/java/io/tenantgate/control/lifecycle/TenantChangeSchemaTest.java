package io.tenantgate.control.lifecycle;

import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The PATCH body's schema in the contract ({@code TenantChange}) names exactly the fields the
 * resource accepts: the resource reads the JSON by hand (to tell a left-out field from
 * {@code null}), so the two lists could otherwise drift apart.
 */
class TenantChangeSchemaTest {

    @Test
    void thePatchSchemaNamesExactlyTheFieldsThePatchAccepts() {
        Set<String> documented = Arrays.stream(TenantAdminResource.TenantChange.class.getRecordComponents())
                .map(RecordComponent::getName).collect(Collectors.toSet());
        assertEquals(TenantAdminResource.PATCHABLE, documented);
    }
}
