package io.parley.eventstore.audit;

import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.axonframework.serialization.Serializer;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Who caused what, and proof that nobody changed it since:
 * <ul>
 *   <li>correlation data providers copy the origin of a command (user, connection, client address, put there by the
 *   edge) onto every message it causes, with correlation and causation ids;</li>
 *   <li>the event storage engine is wrapped so each event is chained to the previous one of its aggregate by a hash
 *   ({@code parley.audit.hash-chain=false} turns it off).</li>
 * </ul>
 * Declaring correlation data providers replaces Axon's default {@code MessageOriginProvider}; it is declared here
 * again with {@code causationId} as the name of what Axon calls the trace id. Both give nothing for an event being
 * handled ({@link UncorrelatedEvents}: no event handler dispatches anything).
 */
@AutoConfiguration(before = {AxonAutoConfiguration.class, JdbcAutoConfiguration.class})
public class ParleyAuditAutoConfiguration {

    @Bean
    CorrelationDataProvider parleyMessageOrigin() {
        return new UncorrelatedEvents(new MessageOriginProvider(AuditMetadata.CORRELATION_ID,
                AuditMetadata.CAUSATION_ID));
    }

    @Bean
    CorrelationDataProvider parleyOriginCopier() {
        return new UncorrelatedEvents(new SimpleCorrelationDataProvider(
                AuditMetadata.ORIGIN_KEYS.toArray(String[]::new)));
    }

    @Bean
    static BeanPostProcessor parleyHashChainingEngine(BeanFactory beanFactory, Environment environment) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof EventStorageEngine engine && !(bean instanceof HashChainingStorageEngine)
                        && environment.getProperty("parley.audit.hash-chain", Boolean.class, true)) {
                    Serializer serializer = beanFactory.getBean("eventSerializer", Serializer.class);
                    return new HashChainingStorageEngine(engine, serializer,
                            environment.getProperty("parley.audit.hash-cache-size", Integer.class, 10_000));
                }
                return bean;
            }
        };
    }
}
