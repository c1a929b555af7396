package io.tenantgate.testing;

/** Reads samples out of a Prometheus text exposition ({@code /q/metrics}). */
public final class MetricSamples {

    private MetricSamples() {
    }

    /**
     * The sum of the samples of {@code name} whose labels contain every one of {@code labels}; 0 when
     * there is none, as for a counter not yet registered.
     */
    public static double sum(String text, String name, String... labels) {
        double value = value(text, name, labels);
        return Double.isNaN(value) ? 0 : value;
    }

    /** As {@link #sum}, but NaN when no sample matches, so a missing series never passes for 0. */
    public static double value(String text, String name, String... labels) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= line.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }
}
