package io.tenantgate.control.registry;

import java.util.regex.Pattern;

/**
 * The one definition of a valid tenant key, used wherever a key enters the system: tokens,
 * provisioning, database names.
 */
public final class TenantKey {

    public static final String REGEX = "^[a-z][a-z0-9-]{1,62}$";
    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private TenantKey() {
    }

    public static boolean isValid(String key) {
        return key != null && PATTERN.matcher(key).matches();
    }

    public static String require(String key) {
        if (!isValid(key)) {
            throw new IllegalArgumentException("tenant key must match " + REGEX);
        }
        return key;
    }
}
