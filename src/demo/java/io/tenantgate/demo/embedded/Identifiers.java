package io.tenantgate.demo.embedded;

import java.util.regex.Pattern;

final class Identifiers {

    private static final Pattern SAFE = Pattern.compile("^[a-z][a-z0-9_-]{0,62}$");

    private Identifiers() {
    }

    static void requireSafe(String identifier) {
        if (identifier == null || !SAFE.matcher(identifier).matches()) {
            throw new IllegalArgumentException("unsafe SQL identifier: " + identifier);
        }
    }
}
