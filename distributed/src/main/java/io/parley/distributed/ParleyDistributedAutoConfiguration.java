package io.parley.distributed;

import io.lettuce.core.RedisClient;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.distributed.DistributedCommandBus;
import io.parley.eventstore.ParleyEventStore;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventBusSpanFactory;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.serialization.Serializer;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import java.net.InetSocketAddress;

/**
 * Parley across processes without Axon Server, each piece switched on by a property and off by default (one process,
 * as standalone runs, needs none of it):
 * <ul>
 *   <li>{@code parley.command-bus=http}: commands leave this process through Axon's {@link DistributedCommandBus}, over
 *   HTTP to the command side ({@code parley.command-side.url}), routed by consistent hashing on the aggregate id.</li>
 *   <li>{@code parley.command-endpoint.enabled=true}: this process executes commands sent by others.</li>
 *   <li>{@code parley.event-nudge.mode=redis}: the event store tells other processes when it committed events, and wakes
 *   when they did, so cross-process delivery does not wait for the poll.</li>
 * </ul>
 * Ordered after Axon's JDBC auto-configuration (its storage engine decides whether there is a JDBC event store to
 * wrap) and before Axon's core one (whose event store and command bus back off for ours).
 */
@AutoConfiguration(after = JdbcAutoConfiguration.class, before = AxonAutoConfiguration.class)
@EnableConfigurationProperties({DistributedProperties.CommandSide.class,
        DistributedProperties.CommandEndpointSettings.class, DistributedProperties.Internal.class,
        DistributedProperties.Redis.class})
public class ParleyDistributedAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ParleyDistributedAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    @Conditional(CommandsCrossProcesses.class)
    CommandWire parleyCommandWire(@Qualifier("messageSerializer") Serializer messageSerializer) {
        return new CommandWire(messageSerializer);
    }

    @Bean(destroyMethod = "shutdown")
    @ConditionalOnMissingBean
    @Conditional(RedisNeeded.class)
    RedisClient parleyRedisClient(DistributedProperties.Redis redis) {
        return RedisClient.create(redis.uri());
    }

    /** A node that sends its commands to the command side over HTTP. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "parley.command-bus", havingValue = "http")
    static class HttpDispatch {

        @Bean
        @ConditionalOnMissingBean
        ConsistentHashCommandRouter parleyCommandRouter(DistributedProperties.CommandSide commandSide) {
            ConsistentHashCommandRouter router = new ConsistentHashCommandRouter(commandSide.url());
            log.info("Commands go over HTTP to {}", router.nodes());
            return router;
        }

        @Bean
        @ConditionalOnMissingBean
        HttpCommandBusConnector parleyCommandBusConnector(@Qualifier("localSegment") CommandBus localSegment,
                                                          CommandWire wire, DistributedProperties.Internal internal,
                                                          DistributedProperties.CommandSide commandSide) {
            if (internal.secret() == null || internal.secret().isBlank()) {
                throw new IllegalStateException("parley.command-bus=http needs parley.internal.secret");
            }
            return new HttpCommandBusConnector(localSegment, wire, internal.secret(), commandSide.timeout());
        }

        /** Primary: the gateways and Axon's configuration use it; Axon's SimpleCommandBus stays as the local segment. */
        @Bean
        @Primary
        DistributedCommandBus distributedCommandBus(ConsistentHashCommandRouter router,
                                                    HttpCommandBusConnector connector) {
            return DistributedCommandBus.builder().commandRouter(router).connector(connector).build();
        }
    }

    /** The command side's door for commands from other processes. */
    @Bean
    @ConditionalOnProperty(name = "parley.command-endpoint.enabled", havingValue = "true")
    CommandEndpoint parleyCommandEndpoint(@Qualifier("localSegment") CommandBus localBus, CommandWire wire,
                                          DistributedProperties.Internal internal,
                                          DistributedProperties.CommandEndpointSettings endpoint,
                                          DistributedProperties.CommandSide commandSide) {
        return new CommandEndpoint(localBus, wire, internal.secret(),
                new InetSocketAddress(endpoint.address(), endpoint.port()), endpoint.threads(), commandSide.timeout());
    }

    /** The event store tells other processes of its commits, and wakes when they committed. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "parley.event-nudge.mode", havingValue = "redis")
    static class EventNudging {

        @Bean
        RedisEventNudge parleyEventNudge(RedisClient redis, EventBus eventBus, DistributedProperties.Redis settings) {
            if (!(eventBus instanceof ParleyEventStore store)) {
                throw new IllegalStateException("parley.event-nudge.mode=redis needs the JDBC event store; found "
                        + eventBus.getClass().getName() + " (with Axon Server, leave the nudge off)");
            }
            return new RedisEventNudge(redis, store, settings.keyPrefix());
        }
    }

    static class CommandsCrossProcesses extends AnyNestedCondition {
        CommandsCrossProcesses() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(name = "parley.command-bus", havingValue = "http")
        static class Dispatching {
        }

        @ConditionalOnProperty(name = "parley.command-endpoint.enabled", havingValue = "true")
        static class Serving {
        }
    }

    static class RedisNeeded extends AnyNestedCondition {
        RedisNeeded() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(name = "parley.event-nudge.mode", havingValue = "redis")
        static class Nudge {
        }

        @ConditionalOnProperty(name = "parley.presence", havingValue = "redis")
        static class Presence {
        }
    }
}
