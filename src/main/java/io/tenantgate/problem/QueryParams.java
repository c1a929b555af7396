package io.tenantgate.problem;

/**
 * Query parameters parsed by hand: a failed JAX-RS conversion of a {@code @QueryParam} is a 404 by
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
        throw ProblemException.badRequest("validation", name + ": an integer from " + min + " to " + max);
    }
}
