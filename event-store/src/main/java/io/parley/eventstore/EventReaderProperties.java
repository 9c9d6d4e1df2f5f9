package io.parley.eventstore;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The event store's shared reader in this process ({@code parley.event-readers.*}).
 *
 * @param cachedEvents the newest events Axon's embedded event store keeps for the readers that tail it (the streaming
 *                     processors, the live fan-out to sockets, {@link ParleyEventStore}'s watcher), which read each
 *                     event from the storage once between them; a reader further behind than this reads the storage
 *                     on its own until it has caught up, and then tails the cache again. 1,000 by default instead of
 *                     Axon's 10,000: an event stays in the cache until that many newer ones have come, so with 10,000
 *                     nearly every event (its serialized and its deserialized form) outlived a young collection and
 *                     died in the old generation, 3-4 KB per message (docs/benchmark.md, issue 17, twenty-fourth
 *                     stop). Must be positive
 */
@ConfigurationProperties(prefix = "parley.event-readers")
public record EventReaderProperties(@DefaultValue("1000") int cachedEvents) {

    /** @throws IllegalArgumentException for a cache of no events (Spring Boot then names the property at start-up) */
    public EventReaderProperties {
        if (cachedEvents < 1) {
            throw new IllegalArgumentException("parley.event-readers.cached-events must be at least 1, was "
                    + cachedEvents);
        }
    }
}
