package io.parley.query;

import io.parley.query.consistency.ConsistencyBarrier;
import io.parley.query.consistency.PositionRecorders;
import io.parley.query.conversation.ConversationProjection;
import io.parley.query.conversation.ConversationQueryHandlers;
import io.parley.query.conversation.HeldWritesErrorHandler;
import io.parley.query.store.jdbc.EmbeddedReadStoreConfiguration;
import io.parley.query.store.mongo.MongoReadStoreConfiguration;
import io.parley.query.user.UserProjection;
import io.parley.query.user.UserQueryHandlers;
import org.axonframework.config.ConfigurerModule;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The query side, for any application that has this module on its class path: the read store selected by
 * {@code parley.read-store} ({@code embedded}, the default, or {@code mongo}), the projections and the query handlers.
 * Ordered before Boot's Mongo auto-configuration so that, in {@code mongo} mode, our {@code MongoClient} makes Boot's back
 * off. Applications that component-scan {@code io.parley.query} get the same beans once (Spring keeps the scanned ones).
 * <p>
 * {@code parley.query.projections.enabled=false} (push nodes in distributed mode) leaves the projections out: the
 * query handlers answer from the shared read store, which only the query-side process writes.
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        beforeName = "org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration")
@Import({EmbeddedReadStoreConfiguration.class, MongoReadStoreConfiguration.class, QuerySideAutoConfiguration.Projections.class,
        ConsistencyBarrier.class, ConversationQueryHandlers.class, UserQueryHandlers.class})
public class QuerySideAutoConfiguration {

    /** The event processors that write the read models. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "parley.query.projections.enabled", havingValue = "true", matchIfMissing = true)
    @Import({ConversationProjection.class, UserProjection.class, PositionRecorders.class})
    static class Projections {

        /** A batch whose held messages could not be written fails and is handled again (the class says why). */
        @Bean
        ConfigurerModule conversationProjectionErrorHandling() {
            return configurer -> configurer.eventProcessing(processing -> processing
                    .registerListenerInvocationErrorHandler(ConversationProjection.PROCESSING_GROUP,
                            configuration -> new HeldWritesErrorHandler()));
        }
    }
}
