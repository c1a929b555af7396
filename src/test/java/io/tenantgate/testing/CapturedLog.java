package io.tenantgate.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The messages one logger writes while a test watches it, formatted as JBoss Logging's
 * {@code *f} methods format them; for tests that assert what was (or was not) logged.
 * Use with try-with-resources: closing stops the capture.
 */
public final class CapturedLog extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Level least;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private CapturedLog(String loggerName, Level least) {
        this.logger = Logger.getLogger(loggerName);
        this.least = least;
        logger.addHandler(this);
    }

    /** Every message of the logger (and its children) from now on. */
    public static CapturedLog of(String loggerName) {
        return new CapturedLog(loggerName, Level.ALL);
    }

    /** The logger's messages at {@code least} or above. */
    public static CapturedLog of(String loggerName, Level least) {
        return new CapturedLog(loggerName, least);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() < least.intValue()) {
            return;
        }
        Object[] parameters = record.getParameters();
        String message = String.valueOf(record.getMessage());
        lines.add(parameters == null || parameters.length == 0 ? message : format(message, parameters));
    }

    private static String format(String message, Object[] parameters) {
        try {
            return String.format(message, parameters);
        } catch (java.util.IllegalFormatException e) {
            return message + " " + java.util.Arrays.toString(parameters);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
