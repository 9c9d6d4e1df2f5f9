package io.parley.push.auth;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Authentication settings ({@code parley.auth.*}).
 *
 * @param tokenTtl                lifetime of an issued token
 * @param jwtSecret               base64 (standard or URL-safe) of the HS256 key, at least 32 bytes. Every node of a
 *                                deployment needs the same one. When unset, a key is generated on first start and kept
 *                                in {@code ${parley.data-dir}/jwt-secret}, so tokens survive a restart of a single node
 * @param bcryptStrength          log2 of BCrypt's rounds (4..31); 10 costs roughly 50-100 ms per hash on a small
 *                                machine
 * @param maxLoginFailures        failed logins per username, and per client address, before further attempts are
 *                                refused with 429 RATE_LIMITED
 * @param loginFailureWindow      how long failures are remembered after the most recent one
 * @param revocationCheckInterval how long a node may take a user's sessions as it last read them from the shared
 *                                database, and how often it looks there for sessions other nodes ended: the longest
 *                                a token revoked on another node is still accepted here, and the longest a socket
 *                                here stays open after its session ended elsewhere. The node that ends a session
 *                                applies it at once
 * @param socketTicketTtl         lifetime of a one-time socket ticket ({@code POST /api/sessions/socket-ticket})
 * @param externalUsernameClaim   for tokens of an external issuer ({@code spring.security.oauth2.resourceserver.jwt.*}):
 *                                the claim holding the username (the subject when absent)
 * @param externalRolesClaim      for tokens of an external issuer: the claim holding role names, a dotted path into
 *                                nested objects (Keycloak: {@code realm_access.roles}); names other than AUDITOR,
 *                                ANALYST and ADMIN (in any case) are ignored
 */
@ConfigurationProperties(prefix = "parley.auth")
record AuthProperties(@DefaultValue("24h") Duration tokenTtl,
                      String jwtSecret,
                      @DefaultValue("10") int bcryptStrength,
                      @DefaultValue("10") int maxLoginFailures,
                      @DefaultValue("5m") Duration loginFailureWindow,
                      @DefaultValue("5s") Duration revocationCheckInterval,
                      @DefaultValue("30s") Duration socketTicketTtl,
                      @DefaultValue("preferred_username") String externalUsernameClaim,
                      @DefaultValue("roles") String externalRolesClaim) {

    AuthProperties {
        if (tokenTtl == null || tokenTtl.isNegative() || tokenTtl.isZero()) {
            throw new IllegalArgumentException("parley.auth.token-ttl must be positive");
        }
        if (bcryptStrength < 4 || bcryptStrength > 31) {
            throw new IllegalArgumentException("parley.auth.bcrypt-strength must be between 4 and 31");
        }
        if (maxLoginFailures < 1) {
            throw new IllegalArgumentException("parley.auth.max-login-failures must be at least 1");
        }
        if (loginFailureWindow == null || loginFailureWindow.isNegative() || loginFailureWindow.isZero()) {
            throw new IllegalArgumentException("parley.auth.login-failure-window must be positive");
        }
        if (revocationCheckInterval == null || revocationCheckInterval.isNegative()
                || revocationCheckInterval.isZero()) {
            throw new IllegalArgumentException("parley.auth.revocation-check-interval must be positive");
        }
        if (socketTicketTtl == null || socketTicketTtl.isNegative() || socketTicketTtl.isZero()) {
            throw new IllegalArgumentException("parley.auth.socket-ticket-ttl must be positive");
        }
        externalUsernameClaim = externalUsernameClaim == null || externalUsernameClaim.isBlank()
                ? "preferred_username" : externalUsernameClaim.trim();
        externalRolesClaim = externalRolesClaim == null || externalRolesClaim.isBlank()
                ? "roles" : externalRolesClaim.trim();
    }

    /** The defaults, as binding an empty {@code parley.auth} gives them. */
    static AuthProperties defaults() {
        return new AuthProperties(Duration.ofHours(24), null, 10, 10, Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofSeconds(30), null, null);
    }
}
