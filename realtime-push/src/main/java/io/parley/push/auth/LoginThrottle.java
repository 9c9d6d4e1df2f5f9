package io.parley.push.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Counts failed logins per username and per client address, on this node, and refuses further attempts once either
 * reaches the limit, until the window has passed since the most recent failure. Password guessing against one
 * account and spraying many accounts from one address both hit a wall; a refused attempt is not counted, so waiting
 * out the window always works.
 * <p>
 * Per-node and in memory: behind a load balancer an attacker gets the limit once per node, which still bounds
 * guessing to a handful per minute per account.
 */
final class LoginThrottle {

    private record Failures(int count, Instant last) {
    }

    private final Cache<String, Failures> failures;
    private final int maxFailures;
    private final Duration window;
    private final Clock clock;

    LoginThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
        // Bounded, so a flood of made-up usernames cannot grow memory without limit.
        this.failures = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(window).build();
    }

    /** How long attempts for this username or from this address are refused, if they are. */
    Optional<Duration> blockedFor(String username, String address) {
        Instant now = clock.instant();
        Duration longest = Duration.ZERO;
        for (String key : keys(username, address)) {
            Failures f = key == null ? null : failures.getIfPresent(key);
            if (f != null && f.count >= maxFailures) {
                Duration left = Duration.between(now, f.last.plus(window));
                if (left.compareTo(longest) > 0) {
                    longest = left;
                }
            }
        }
        return longest.isZero() ? Optional.empty() : Optional.of(longest);
    }

    void failed(String username, String address) {
        Instant now = clock.instant();
        for (String key : keys(username, address)) {
            if (key != null) {
                failures.asMap().merge(key, new Failures(1, now), (old, one) ->
                        old.last.plus(window).isAfter(now) ? new Failures(old.count + 1, now) : one);
            }
        }
    }

    /**
     * Clears the username's failures. The address's stay: otherwise one valid account would let an attacker reset
     * the counter of the address it sprays from.
     */
    void succeeded(String username) {
        failures.invalidate(userKey(username));
    }

    private static String[] keys(String username, String address) {
        return new String[]{userKey(username), address == null ? null : "address:" + address};
    }

    private static String userKey(String username) {
        return username == null ? null : "user:" + username.trim().toLowerCase(Locale.ROOT);
    }
}
