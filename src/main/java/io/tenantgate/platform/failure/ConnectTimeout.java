package io.tenantgate.platform.failure;

/** A connect, authentication included, did not finish within the connect timeout; thrown by the governor's connector. */
public final class ConnectTimeout extends io.vertx.core.VertxException {

    public ConnectTimeout(String server, long millis) {
        super("connecting to " + server + " took longer than " + millis + " ms", true);
    }
}
