package io.tenantgate.control.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The {@code /dev/token} helper of the dev, demo and test profiles. Off in production. */
@ConfigMapping(prefix = "tenantgate.dev-token")
public interface DevTokenConfig {

    /** Serve {@code /dev/token}. Never enable in production: anyone could mint tokens. */
    @WithDefault("false")
    boolean enabled();

    /** PEM private key that signs dev tokens; generated at start in dev and demo. */
    Optional<String> signingKey();

    /** Issuer written into dev tokens; must match {@code mp.jwt.verify.issuer}. */
    @WithDefault("${mp.jwt.verify.issuer}")
    String issuer();

    /** Audience written into dev tokens; must be one of {@code mp.jwt.verify.audiences}. */
    @WithDefault("tenantgate")
    String audience();

    /** Lifetime of a dev token. */
    @WithDefault("1h")
    Duration lifetime();
}
