package io.parley.notify;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Who is connected, for a notification service running in its own process (distributed mode): the push nodes' Redis
 * presence ({@code parley.presence=redis}) keeps a per-user counter of the nodes holding a socket of the user at
 * {@code <key-prefix>:presence:online:<userId>} (the edge's {@code RedisPresence}); above 0 is connected. When Redis
 * does not answer within a second the user counts as not connected: a notification too many beats a missed one.
 */
public class RedisPresencePort implements PresencePort, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisPresencePort.class);

    private final StatefulRedisConnection<String, String> connection;
    private final String prefix;

    public RedisPresencePort(RedisClient client, String keyPrefix) {
        this.connection = client.connect();
        this.prefix = keyPrefix + ":presence:online:";
    }

    @Override
    public boolean isConnected(String userId) {
        try {
            String count = connection.async().get(prefix + userId).get(1, TimeUnit.SECONDS);
            return count != null && Long.parseLong(count) > 0;
        } catch (Exception e) {
            log.debug("presence: Redis did not answer; counting {} as not connected", userId, e);
            return false;
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
