package io.parley.push.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;

/**
 * The security log: failed logins and password checks, lockouts, refused tokens and role changes, under the logger
 * {@code parley.security} (WARN for what may be an attack, INFO for the rest), so an operator can keep it, route it
 * or alert on it apart from the rest. Never a password, a token or a hash: usernames, user ids, client addresses and
 * reasons only, with control characters replaced so a crafted username cannot forge a log line.
 */
public final class SecurityLog {

    /** The logger's name. */
    public static final String LOGGER = "parley.security";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final int MAX_FIELD = 64;

    private SecurityLog() {
    }

    static void loginFailed(String username, String address) {
        log.warn("login failed: user={} address={} reason=bad username or password", clean(username), clean(address));
    }

    static void passwordCheckFailed(String userId, String address) {
        log.warn("password change refused: userId={} address={} reason=wrong current password", clean(userId),
                clean(address));
    }

    static void lockedOut(String username, String address, Duration left) {
        log.warn("login refused: user={} address={} reason=locked out after repeated failures, for {} s more",
                clean(username), clean(address), Math.max(1, left.toSeconds()));
    }

    static void tokenRefused(String reason) {
        log.info("token refused: reason={}", clean(reason));
    }


    static void rolesChanged(String actor, String userId, Collection<?> before, Collection<?> after) {
        log.warn("roles changed: userId={} from={} to={} by={}", clean(userId), before, after, clean(actor));
    }

    /** A field as it goes into a line: control characters replaced, long values cut. */
    static String clean(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_FIELD));
        value.codePoints().limit(MAX_FIELD).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return value.codePointCount(0, value.length()) > MAX_FIELD ? out + "..." : out.toString();
    }
}
