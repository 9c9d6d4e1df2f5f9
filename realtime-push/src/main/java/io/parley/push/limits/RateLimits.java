package io.parley.push.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.parley.push.EdgeMetrics;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Optional;

/**
 * Token buckets per user and kind of action (Bucket4j), kept in memory on this node: a user spread over several push
 * nodes gets each node's allowance, which bounds what any one node must absorb.
 */
@Component
@EnableConfigurationProperties(LimitProperties.class)
public class RateLimits {

    /** What a user may do at a limited rate. */
    public enum Kind { SEND, FRAME, TYPING, HTTP }

    private record Key(String userId, Kind kind) {
    }

    private final LimitProperties limits;
    private final EdgeMetrics metrics;
    private final Cache<Key, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(2_000_000)
            .build();

    RateLimits(LimitProperties limits, EdgeMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    /** Takes one token; answers empty when allowed, or how long to wait when the user is over the limit. */
    public Optional<Duration> take(String userId, Kind kind) {
        ConsumptionProbe probe = buckets.get(new Key(userId, kind), key -> bucketFor(kind)).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return Optional.empty();
        }
        metrics.refused(kind);
        return Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    public int connectionsPerUser() {
        return limits.connectionsPerUser();
    }

    private Bucket bucketFor(Kind kind) {
        return switch (kind) {
            case SEND -> bucket(limits.sendsPerSecond(), limits.sendsBurst());
            case FRAME -> bucket(limits.framesPerSecond(), limits.framesBurst());
            case TYPING -> bucket(limits.typingPerSecond(), limits.typingBurst());
            case HTTP -> bucket(limits.httpPerSecond(), limits.httpBurst());
        };
    }

    private static Bucket bucket(int perSecond, int burst) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build();
    }
}
