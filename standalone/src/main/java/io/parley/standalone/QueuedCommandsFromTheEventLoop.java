package io.parley.standalone;

import io.parley.axon.BatchingCommandBus;
import io.parley.push.Backend;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Optional;

/**
 * The edge sends a command that a command lane only queues ({@link BatchingCommandBus#queues}) from the Netty event
 * loop, without a hop to a worker ({@link Backend.QueuingBus}; docs/decisions.md). Wired here, where the edge and
 * axon-config meet, since the edge may not name the command bus (ModuleBoundariesTest). Without the lanes
 * ({@code parley.axon.command-batch-size=1}) every command hops, as before.
 */
@Configuration(proxyBeanMethods = false)
class QueuedCommandsFromTheEventLoop {

    @Bean
    Backend.QueuingBus parleyQueuingBus(Optional<BatchingCommandBus> lanes) {
        return lanes.<Backend.QueuingBus>map(bus -> bus::queues).orElse(Backend.QueuingBus.NEVER);
    }
}
