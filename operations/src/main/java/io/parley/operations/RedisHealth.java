package io.parley.operations;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

import java.time.Duration;

/**
 * Redis (presence and typing across nodes, the commit nudge) answers a {@code PING} on a connection of its own, so a
 * Redis that went away is seen at once rather than when a reconnecting shared connection gives up.
 */
class RedisHealth extends AbstractHealthIndicator {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final RedisClient client;

    RedisHealth(RedisClient client) {
        super("Redis does not answer");
        this.client = client;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.setTimeout(TIMEOUT);
            builder.up().withDetail("ping", connection.sync().ping());
        }
    }
}
