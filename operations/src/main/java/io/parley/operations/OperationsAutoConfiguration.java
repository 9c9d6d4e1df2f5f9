package io.parley.operations;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Health and readiness contributors of every Parley service, and the management port of those without a web server.
 * The contributors' names are those the {@code readiness} group includes ({@link OperationsDefaults}); each exists
 * only where what it checks is used.
 */
@AutoConfiguration(afterName = {"org.axonframework.springboot.autoconfig.AxonAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration"},
        before = HealthEndpointAutoConfiguration.class)
@EnableConfigurationProperties(OperationsProperties.class)
public class OperationsAutoConfiguration {

    @Bean("eventStoreHealthIndicator")
    @ConditionalOnBean(EventStore.class)
    EventStoreHealth eventStoreHealthIndicator(EventStore eventStore) {
        return new EventStoreHealth(eventStore);
    }

    @Bean("projectionsHealthIndicator")
    @ConditionalOnBean({EventProcessingConfiguration.class, EventStore.class, MeterRegistry.class})
    ProjectionLag projectionsHealthIndicator(EventProcessingConfiguration processing, EventStore eventStore,
                                             MeterRegistry registry, OperationsProperties properties) {
        return new ProjectionLag(processing, eventStore, registry, properties.maxProjectionLag());
    }

    /** Draining: from the moment the context closes, load balancers are told to send nothing new. */
    @Bean
    ApplicationListener<ContextClosedEvent> parleyReadinessOffWhenClosing() {
        return event -> AvailabilityChangeEvent.publish(event.getApplicationContext(),
                ReadinessState.REFUSING_TRAFFIC);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.mongodb.client.MongoClient")
    static class Mongo {

        @Bean("readStoreHealthIndicator")
        @ConditionalOnBean(com.mongodb.client.MongoClient.class)
        MongoReadStoreHealth readStoreHealthIndicator(com.mongodb.client.MongoClient client) {
            return new MongoReadStoreHealth(client);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.lettuce.core.RedisClient")
    static class Redis {

        @Bean("redisHealthIndicator")
        @ConditionalOnBean(io.lettuce.core.RedisClient.class)
        RedisHealth redisHealthIndicator(io.lettuce.core.RedisClient client) {
            return new RedisHealth(client);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnNotWebApplication
    @ConditionalOnProperty("parley.operations.management-port")
    static class Port {

        @Bean
        ManagementPort parleyManagementPort(HealthEndpoint health, HttpCodeStatusMapper statusCodes,
                                            PrometheusMeterRegistry prometheus, OperationsProperties properties) {
            return new ManagementPort(health, statusCodes, prometheus, properties);
        }
    }
}
