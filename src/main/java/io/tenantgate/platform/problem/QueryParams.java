package io.tenantgate.platform.problem;

/**
 * Request parameters parsed by hand: a failed JAX-RS conversion of a {@code @QueryParam} is a 404 by
 * the spec, where a caller deserves a 400 that says what to send.
 */
public final class QueryParams {

    private QueryParams() {
    }

    public static int intParam(String name, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.invalid(name, "an integer from " + min + " to " + max);
    }

    /** A UUID in its canonical text form; 400 {@code invalid-id} with {@code detail} otherwise. */
    public static java.util.UUID uuid(String value, String detail) {
        if (!isUuidText(value)) {
            throw ProblemException.badRequest("invalid-id", detail);
        }
        return java.util.UUID.fromString(value);
    }

    /**
     * The canonical 8-4-4-4-12 hexadecimal form, checked by hand: it runs on every request that
     * names a resource, and {@code UUID.fromString} alone accepts shorter groups.
     */
    static boolean isUuidText(String value) {
        if (value == null || value.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = value.charAt(i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
                    : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** One of an enum's constants, case-insensitive; {@code null} when absent; 400 {@code validation} otherwise. */
    public static <E extends Enum<E>> E enumParam(Class<E> type, String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(name, "one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }
}
