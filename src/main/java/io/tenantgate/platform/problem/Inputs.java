package io.tenantgate.platform.problem;

/**
 * What every text field a client sends must be, whatever its own rules: a single line of real
 * characters. A NUL byte is refused by PostgreSQL (500 before this rule) and stored as is by
 * MariaDB; a lone UTF-16 surrogate cannot be stored as UTF-8 by either. Both are 400 here, before
 * anything reaches a database.
 */
public final class Inputs {

    /** No control characters (C0, DEL, C1) and no unpaired surrogates. */
    public static final String SINGLE_LINE = "^[^\\p{Cntrl}\\p{Cs}\\x{80}-\\x{9F}]*$";

    public static final String SINGLE_LINE_MESSAGE = "no control characters or broken Unicode";

    private static final java.util.regex.Pattern SINGLE_LINE_PATTERN = java.util.regex.Pattern.compile(SINGLE_LINE);

    private Inputs() {
    }

    public static boolean isSingleLine(String value) {
        return value == null || SINGLE_LINE_PATTERN.matcher(value).matches();
    }
}
