package io.tenantgate.control.health;

/** How close a database server is to this instance's budget for it. */
public enum SaturationLevel {
    OK, WARN, CRITICAL;

    public static SaturationLevel of(double saturation, HealthConfig config) {
        if (saturation >= config.criticalSaturation()) {
            return CRITICAL;
        }
        return saturation >= config.warnSaturation() ? WARN : OK;
    }
}
