package io.parley.query;

import com.mongodb.client.MongoClient;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationIds;
import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.ConversationsOfUserQuery;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.query.conversation.ConversationProjection;
import io.parley.query.conversation.HeldWritesErrorHandler;
import io.parley.query.user.UserProjection;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The query side as an application wires it: Axon with the JDBC event store on H2, the read store chosen by
 * {@code parley.read-store}, events appended to the event store flowing through the named processors into the read
 * models, and answers coming back over the query bus.
 */
class QuerySideApplicationTest {

    private static MongoServer mongo;
    private static String mongoUri;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /**
         * Declared here rather than left to Boot: axon-config's schema bean is {@code @ConditionalOnBean(DataSource)} in
         * an auto-configuration not ordered after {@code DataSourceAutoConfiguration}, so it only sees a DataSource that
         * the application declares itself.
         */
        @Bean
        DataSource dataSource(@Value("${test.h2-url}") String url) {
            JdbcDataSource dataSource = new JdbcDataSource();
            dataSource.setURL(url);
            dataSource.setUser("sa");
            return dataSource;
        }
    }

    @BeforeAll
    static void startMongo() {
        mongo = new MongoServer(new MemoryBackend());
        mongo.bind("127.0.0.1", 0);
        InetSocketAddress address = mongo.getLocalAddress();
        mongoUri = "mongodb://" + address.getHostString() + ":" + address.getPort();
    }

    @AfterAll
    static void stopMongo() {
        mongo.shutdownNow();
    }

    @Test
    void theEmbeddedStoreIsTheDefaultAndProjectsEventsFromTheEventStore() {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(context.getBeansOfType(MongoClient.class)).isEmpty();
            // the read-model writes of a batch share the Spring transaction of its token (same DataSource)
            assertThat(context.getBean(TransactionManager.class)).isInstanceOf(SpringTransactionManager.class);
            assertThat(context.getBean(TokenStore.class)).isInstanceOf(JdbcTokenStore.class);
            projectsAndAnswers(context);
        }
    }

    @Test
    void theMongoStoreUsesItsOwnClientInsteadOfBoots() {
        try (ConfigurableApplicationContext context = start("parley.read-store=mongo", "parley.mongo.uri=" + mongoUri,
                "parley.mongo.database=app-" + UUID.randomUUID())) {
            assertThat(context.getBeansOfType(MongoClient.class)).containsOnlyKeys("parleyMongoClient");
            projectsAndAnswers(context);
        }
    }

    @Test
    void withTheMongoTokenStoreTheProjectionsKeepTheirTokensInMongo() {
        try (ConfigurableApplicationContext context = start("parley.read-store=mongo", "parley.mongo.uri=" + mongoUri,
                "parley.mongo.database=app-" + UUID.randomUUID(), "parley.token-store=mongo")) {
            assertThat(context.getBean(TokenStore.class))
                    .isInstanceOf(org.axonframework.extensions.mongo.eventsourcing.tokenstore.MongoTokenStore.class);
            projectsAndAnswers(context);
        }
    }

    @Test
    void withProjectionsOffOnlyTheQueryHandlersRemain() {
        try (ConfigurableApplicationContext context = start("parley.query.projections.enabled=false")) {
            EventProcessingConfiguration processing = context.getBean(EventProcessingConfiguration.class);
            assertThat(processing.eventProcessor(ConversationProjection.PROCESSING_GROUP)).isEmpty();
            assertThat(processing.eventProcessor(UserProjection.PROCESSING_GROUP)).isEmpty();
            List<ConversationSummary> none = context.getBean(QueryGateway.class).query(
                    new ConversationsOfUserQuery("u-nobody"),
                    ResponseTypes.multipleInstancesOf(ConversationSummary.class)).join();
            assertThat(none).isEmpty();
        }
    }

    private static ConfigurableApplicationContext start(String... properties) {
        List<String> all = new ArrayList<>(List.of(
                "test.h2-url=jdbc:h2:mem:app-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "axon.axonserver.enabled=false",
                // until axon-config sets Jackson for everything (STACK-NOTES: XStream is fragile on JDK 17)
                "axon.serializer.general=jackson",
                "axon.serializer.events=jackson",
                "axon.serializer.messages=jackson",
                // what an application with this module should set: both read stores bring their own client (or none)
                "spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
                "spring.main.banner-mode=off"));
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(all.toArray(String[]::new)).run();
    }

    private static void projectsAndAnswers(ConfigurableApplicationContext context) {
        EventProcessingConfiguration processing = context.getBean(EventProcessingConfiguration.class);
        assertThat(processing.eventProcessor(ConversationProjection.PROCESSING_GROUP)).isPresent();
        assertThat(processing.eventProcessor(UserProjection.PROCESSING_GROUP)).isPresent();
        // a batch whose held messages could not be written fails and is handled again (HeldWritesErrorHandlerTest)
        assertThat(processing.listenerInvocationErrorHandler(ConversationProjection.PROCESSING_GROUP))
                .isInstanceOf(HeldWritesErrorHandler.class);

        EventStore events = context.getBean(EventStore.class);
        QueryGateway queries = context.getBean(QueryGateway.class);
        String conversation = ConversationIds.direct("u-a", "u-b");
        Instant now = Instant.parse("2024-05-01T10:00:00Z");
        events.publish(new GenericDomainEventMessage<>("User", "u-a", 0, new UserRegistered("u-a", "a", "A", now)),
                new GenericDomainEventMessage<>("Conversation", conversation, 0,
                        new DirectConversationOpened(conversation, List.of("u-a", "u-b"), "u-a", now)),
                new GenericDomainEventMessage<>("Conversation", conversation, 1,
                        new MessageSent(conversation, "m-1", 1, "u-a", "c-1", "hello", List.of(), now, List.of(), null)));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<ConversationSummary> ofB = queries.query(new ConversationsOfUserQuery("u-b"),
                    ResponseTypes.multipleInstancesOf(ConversationSummary.class)).join();
            assertThat(ofB).singleElement().satisfies(s -> {
                assertThat(s.unread()).isEqualTo(1);
                assertThat(s.lastMessage()).extracting(MessageView::text).isEqualTo("hello");
            });
            assertThat(queries.query(new FindUserQuery("u-a"), ResponseTypes.instanceOf(UserView.class)).join())
                    .isEqualTo(new UserView("u-a", "a", "A", now));
        });
    }
}
