package io.parley.push.auth;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {

    private Instant now = Instant.parse("2025-06-01T12:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(5), clock);

    @Test
    void aUsernameIsBlockedAfterTooManyFailuresUntilTheWindowPassed() {
        fail("alice", "10.0.0.1", 2);
        assertThat(throttle.blockedFor("alice", "10.0.0.9")).isEmpty();

        fail("Alice", "10.0.0.2", 1);
        assertThat(throttle.blockedFor("ALICE", "10.0.0.9")).contains(Duration.ofMinutes(5));

        now = now.plus(Duration.ofMinutes(4));
        assertThat(throttle.blockedFor("alice", "10.0.0.9")).contains(Duration.ofMinutes(1));
        now = now.plus(Duration.ofMinutes(1));
        assertThat(throttle.blockedFor("alice", "10.0.0.9")).isEmpty();
    }

    @Test
    void anAddressIsBlockedAfterTooManyFailuresAcrossUsernames() {
        throttle.failed("alice", "10.0.0.1");
        throttle.failed("bob", "10.0.0.1");
        throttle.failed("carol", "10.0.0.1");

        assertThat(throttle.blockedFor("dave", "10.0.0.1")).isPresent();
        assertThat(throttle.blockedFor("dave", "10.0.0.2")).isEmpty();
    }

    @Test
    void successClearsTheUsernameButNotTheAddress() {
        fail("alice", "10.0.0.1", 3);

        throttle.succeeded("alice");

        assertThat(throttle.blockedFor("alice", "10.0.0.2")).isEmpty();
        assertThat(throttle.blockedFor("alice", "10.0.0.1")).isPresent();
    }

    @Test
    void failuresOlderThanTheWindowStartAgain() {
        fail("alice", null, 2);
        now = now.plus(Duration.ofMinutes(6));
        fail("alice", null, 2);

        assertThat(throttle.blockedFor("alice", null)).isEmpty();
    }

    private void fail(String username, String address, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(username, address);
        }
    }
}
