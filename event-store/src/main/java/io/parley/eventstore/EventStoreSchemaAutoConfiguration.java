package io.parley.eventstore;

import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;

/**
 * Axon's tables ({@link EventStoreSchema}, a Flyway migration) on the application's database, unless
 * {@code parley.axon.create-schema=false}. Ordered as the Axon set-up it came from: before Axon's own
 * auto-configurations.
 */
@AutoConfiguration(before = {AxonAutoConfiguration.class, JdbcAutoConfiguration.class})
public class EventStoreSchemaAutoConfiguration {

    /** Migrated before the event store and processors touch the database (singletons initialise before lifecycles start). */
    @Bean
    @ConditionalOnProperty(name = "parley.axon.create-schema", havingValue = "true", matchIfMissing = true)
    InitializingBean parleyEventStoreSchema(ObjectProvider<DataSource> dataSource) {
        return () -> dataSource.ifAvailable(EventStoreSchema::migrate);
    }
}
