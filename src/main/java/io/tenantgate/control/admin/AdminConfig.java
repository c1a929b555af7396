package io.tenantgate.control.admin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Fleet-wide admin actions (see {@link FleetActions}). */
@ConfigMapping(prefix = "tenantgate.admin")
public interface AdminConfig {

    /**
     * How long the replica that took an operator's fleet-wide action (evict, evict-idle) waits for
     * every live replica to acknowledge it; the answer lists those that have not as {@code pending}.
     */
    @WithDefault("5s")
    Duration fleetWait();

    /**
     * How often each replica reads the registry for admin actions issued through another replica:
     * an action reaches every live replica within this plus one registry round trip.
     */
    @WithDefault("1s")
    Duration actionPoll();
}
