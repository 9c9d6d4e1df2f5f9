package io.parley.query.admin;

import io.parley.api.admin.AdminMessages.CheckConsistencyQuery;
import io.parley.api.admin.AdminMessages.ConsistencyReport;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.conversation.ConversationEvents.ReactionAdded;
import io.parley.api.conversation.MemberRole;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.query.conversation.ConversationProjection;
import io.parley.query.store.ReadStores;
import io.parley.query.store.jdbc.JdbcReadStores;
import io.parley.query.user.UserProjection;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin consistency check against a real (in-memory) Axon event store and the embedded read store, fed through
 * the projections: read models as the events leave them are consistent, and each kind of difference an operator
 * could meet is reported with the conversation or user it is in.
 */
class ConsistencyCheckTest {

    private static final String TEAM = "g-team";
    private static final Instant AT = Instant.parse("2026-12-01T09:00:00Z");

    private final EmbeddedEventStore eventStore = EmbeddedEventStore.builder()
            .storageEngine(new InMemoryEventStorageEngine()).build();
    private final Map<String, Long> aggregateSequence = new HashMap<>();
    private ReadStores live;
    private AnnotationEventHandlerAdapter conversations;
    private AnnotationEventHandlerAdapter users;

    @BeforeEach
    void aGroupWithAMentionAReplyAndAReaction() throws Exception {
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:live-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        live = JdbcReadStores.create(db);
        conversations = new AnnotationEventHandlerAdapter(new ConversationProjection(live));
        users = new AnnotationEventHandlerAdapter(new UserProjection(live));
        for (String user : List.of("u-alice", "u-bob", "u-carol")) {
            given("User", user, new UserRegistered(user, user.substring(2), user.substring(2), AT));
        }
        given("Conversation", TEAM, new GroupCreated(TEAM, "Team", "u-alice", List.of(
                new Member("u-bob", MemberRole.MEMBER), new Member("u-carol", MemberRole.MEMBER)), AT));
        given("Conversation", TEAM, new MessageSent(TEAM, "m-1", 1, "u-alice", "c-1", "hello @bob", List.of(), AT,
                List.of("u-bob"), null));
        given("Conversation", TEAM, new MessageSent(TEAM, "m-2", 2, "u-carol", "c-2", "hi alice", List.of(), AT,
                List.of(), 1L));
        given("Conversation", TEAM, new ReactionAdded(TEAM, "m-1", 1, "u-carol", "👍", 1, AT));
    }

    @Test
    void readModelsAsTheEventsLeaveThemAreConsistent() throws Exception {
        ConsistencyReport report = check();

        assertThat(report.differences()).isEmpty();
        assertThat(report.consistent()).isTrue();
        assertThat(report.messagesChecked()).isEqualTo(2);
    }

    @Test
    void aReadModelWrittenInProcessorBatchesMatchesTheEventsReplayedOneByOne() throws Exception {
        List<DomainEventMessage<?>> batch = List.of(
                published("Conversation", TEAM, new MessageSent(TEAM, "m-3", 3, "u-bob", "c-3", "@alice look",
                        List.of(), AT, List.of("u-alice"), null)),
                published("Conversation", TEAM, new MessageSent(TEAM, "m-4", 4, "u-alice", "c-4", "seen", List.of(),
                        AT, List.of("u-carol"), 3L)),
                published("Conversation", TEAM, new MessagesRead(TEAM, "u-carol", 3, AT)),
                published("Conversation", TEAM, new MessageSent(TEAM, "m-5", 5, "u-carol", "c-5", "and me",
                        List.of(), AT, List.of(), null)));
        BatchingUnitOfWork<DomainEventMessage<?>> unitOfWork = new BatchingUnitOfWork<>(batch);
        assertThat(unitOfWork.executeWithResult(() -> conversations.handle(unitOfWork.getMessage())).isExceptional())
                .as("the batch was handled").isFalse();

        ConsistencyReport report = check();

        assertThat(report.differences()).isEmpty();
        assertThat(report.messagesChecked()).isEqualTo(5);
        assertThat(live.mentions().unreadOf("u-alice")).as("alice wrote after bob mentioned her").isEmpty();
    }

    @Test
    void aMentionShownAsReadThatTheEventsLeaveUnreadIsReportedForItsUser() throws Exception {
        live.mentions().read("u-bob", TEAM, 1);

        assertThat(check().differences()).singleElement().asString()
                .startsWith("user u-bob: unread mentions per conversation differ: expected {g-team=1}");
    }

    @Test
    void aReactionMissingFromTheReadModelIsReportedForItsMessage() throws Exception {
        live.reactions().remove(TEAM, 1, "m-1", "u-carol", "👍", 2);

        assertThat(check().differences()).singleElement().asString()
                .startsWith("conversation g-team: reactions differ: {1=expected");
    }

    @Test
    void aReplyTheEventsDoNotHaveIsReportedForItsMessage() throws Exception {
        live.replies().record(TEAM, 1, 7);

        assertThat(check().differences()).singleElement().asString()
                .isEqualTo("conversation g-team: replies differ: {1=expected null but the read model has 7}");
    }

    @Test
    void aMentionTheEventsDoNotHaveIsReportedForItsMessage() throws Exception {
        live.mentions().record(TEAM, 2, List.of("u-alice"));

        assertThat(check().differences()).anySatisfy(difference -> assertThat(difference)
                .isEqualTo("conversation g-team: mentions differ: {2=expected null but the read model has [u-alice]}"));
    }

    @Test
    void aMessageMissingFromTheReadModelIsReportedAndTheMessagesAfterItAreStillCompared() throws Exception {
        for (long seq = 3; seq <= 600; seq++) { // more than one page of the check's (500)
            MessageSent message = new MessageSent(TEAM, "m-" + seq, seq, "u-alice", "c-" + seq, "message " + seq,
                    List.of(), AT, List.of(), null);
            if (seq == 100) {
                published("Conversation", TEAM, message); // stored, never projected
            } else {
                given("Conversation", TEAM, message);
            }
        }
        live.timeline().edit(TEAM, 550, "tampered", AT);

        List<String> differences = check().differences();

        assertThat(differences).filteredOn(difference -> difference.startsWith("conversation g-team seq "))
                .satisfiesExactly(
                        missing -> assertThat(missing).startsWith("conversation g-team seq 100: expected MessageView[")
                                .endsWith("but the read model has null"),
                        tampered -> assertThat(tampered).startsWith("conversation g-team seq 550: expected")
                                .contains("text=tampered"));
    }

    private ConsistencyReport check() throws InterruptedException {
        return new ConsistencyCheck(eventStore, live).handle(new CheckConsistencyQuery());
    }

    /** Appends the event to the store and hands it to its projection, one event at a time. */
    private void given(String type, String aggregateId, Object event) throws Exception {
        AnnotationEventHandlerAdapter projection = "User".equals(type) ? users : conversations;
        projection.handle(published(type, aggregateId, event));
    }

    /** Appends the event to the store as its aggregate's next event. */
    private DomainEventMessage<?> published(String type, String aggregateId, Object event) {
        long sequence = aggregateSequence.merge(aggregateId, 1L, Long::sum) - 1;
        DomainEventMessage<?> message = new GenericDomainEventMessage<>(type, aggregateId, sequence, event);
        eventStore.publish(message);
        return message;
    }
}
