package io.parley.push.socket;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberAdded;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MemberRemoved;
import io.parley.api.conversation.ConversationEvents.MemberRoleChanged;
import io.parley.api.conversation.ConversationEvents.MessageDeleted;
import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationEvents.MessagesDelivered;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.conversation.ConversationType;
import io.parley.api.conversation.MemberRole;
import io.parley.api.wire.ServerFrames;
import io.parley.push.membership.Membership;
import io.parley.push.membership.MembershipCache;
import org.axonframework.common.AxonThreadFactory;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventMessageHandler;
import org.axonframework.eventhandling.ListenerInvocationErrorHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.messaging.StreamableMessageSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Delivers each event of the event log, from where it stood when this node started, to the sockets of the members
 * connected to this node. It is an Axon event handler in a processing group of its own ({@value #PROCESSING_GROUP}),
 * run by a tracking processor per node ({@link #liveDeliveryProcessor()}): one thread and one segment (so events are
 * handled in the log's order, which keeps each conversation's order), an in-memory token that starts at the head at
 * start (nothing is replayed, nothing is shared between nodes), no transaction. Reading the event store (not a subscribing
 * handler on the local bus) makes live delivery work whichever process wrote the event; the store's streams tell the
 * processor when events are available (in the JDBC modes {@code ParleyEventStore}, woken across processes by the Redis
 * nudge; Axon Server's streams do it themselves), so there is no poll delay.
 * <p>
 * Live delivery is best effort by design: a client that was away, or a gap the stream skipped, is closed by
 * {@code sync}, which reads the history. A handler that fails is logged and the event skipped
 * ({@link #skipOnError()}); the tokens cannot be reset ({@link DisallowReplay}: a replay would resend history live).
 */
@Component
@ProcessingGroup(EventFanout.PROCESSING_GROUP)
@DisallowReplay
class EventFanout {

    /** The processing group (and processor) of live delivery; one per push node, its token in memory. */
    static final String PROCESSING_GROUP = "parley-live-delivery";

    private static final Logger log = LoggerFactory.getLogger(EventFanout.class);

    private final ConnectionRegistry connections;
    private final MembershipCache memberships;
    private final ObjectMapper json;

    EventFanout(ConnectionRegistry connections, MembershipCache memberships, ObjectMapper json) {
        this.connections = connections;
        this.memberships = memberships;
        this.json = json;
    }

    /**
     * The live-delivery processor of this node: tracking over the event store on one thread that blocks on the stream
     * (woken by the store as soon as events are read, like the hand-written reader before it: no coordinator or worker
     * hand-over as in a pooled processor), an in-memory token from the head at start, no transaction (the handlers
     * write to sockets, not to a database), batches of up to 100 events (a batch never waits to fill).
     */
    @Bean
    static ConfigurerModule liveDeliveryProcessor() {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerTrackingEventProcessor(PROCESSING_GROUP, Configuration::eventStore,
                        config -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                                .andInitialTrackingToken(StreamableMessageSource::createHeadToken)
                                .andBatchSize(100)
                                .andThreadFactory(name -> new AxonThreadFactory("parley-fanout")))
                .registerTokenStore(PROCESSING_GROUP, config -> new InMemoryTokenStore())
                .registerTransactionManager(PROCESSING_GROUP, config -> NoTransactionManager.instance())
                .registerListenerInvocationErrorHandler(PROCESSING_GROUP, config -> skipOnError()));
    }

    /** A failed delivery is logged and skipped: clients get the event on their next sync. */
    static ListenerInvocationErrorHandler skipOnError() {
        return (Exception e, EventMessage<?> event, EventMessageHandler handler) ->
                log.warn("could not deliver {} live; clients will get it on sync",
                        event.getPayloadType().getSimpleName(), e);
    }

    @EventHandler
    void on(MessageSent e) {
        String frame = write(new ServerFrames.Message("message", e.conversationId(), e.messageId(), e.seq(),
                e.senderId(), e.text(), e.sentAt(), null, false, e.attachments() == null ? List.of() : e.attachments()));
        forEachConnection(e.conversationId(), c -> c.sendMessage(e.conversationId(), e.seq(), frame));
    }

    @EventHandler
    void on(MessagesDelivered e) {
        toMembers(e.conversationId(), ServerFrames.Receipt.delivered(e.conversationId(), e.userId(), e.upToSeq()));
    }

    @EventHandler
    void on(MessagesRead e) {
        toMembers(e.conversationId(), ServerFrames.Receipt.read(e.conversationId(), e.userId(), e.upToSeq()));
    }

    @EventHandler
    void on(MessageEdited e) {
        toMembers(e.conversationId(), ServerFrames.messageUpdated(new MessageView(e.conversationId(),
                e.messageId(), e.seq(), null, e.text(), null, e.editedAt(), false, List.of())));
    }

    @EventHandler
    void on(MessageDeleted e) {
        toMembers(e.conversationId(), ServerFrames.messageUpdated(new MessageView(e.conversationId(),
                e.messageId(), e.seq(), null, null, null, null, true, List.of())));
    }

    /** @param version the event's aggregate sequence number, which orders membership states in the cache */
    @EventHandler
    void on(DirectConversationOpened e, @SequenceNumber long version) {
        memberships.offer(MembershipCache.of(e.conversationId(), ConversationType.DIRECT,
                e.memberIds().stream().map(id -> new Member(id, MemberRole.MEMBER)).toList(), version));
        for (String member : e.memberIds()) {
            toUser(member, ServerFrames.Member.of(e.conversationId(), member, "joined", MemberRole.MEMBER.wireName()));
        }
    }

    @EventHandler
    void on(GroupCreated e, @SequenceNumber long version) {
        memberships.offer(MembershipCache.of(e.conversationId(), ConversationType.GROUP, e.members(), version));
        for (Member m : e.members()) {
            toUser(m.userId(), ServerFrames.Member.of(e.conversationId(), m.userId(), "joined", m.role().wireName()));
        }
    }

    @EventHandler
    void on(MemberAdded e, @SequenceNumber long version) {
        memberships.apply(e.conversationId(), version, roles -> put(roles, e.userId(), e.role()));
        toMembers(e.conversationId(), ServerFrames.Member.of(e.conversationId(), e.userId(), "joined",
                e.role().wireName()));
    }

    @EventHandler
    void on(MemberLeft e, @SequenceNumber long version) {
        toMembersAnd(e.conversationId(), e.userId(), ServerFrames.Member.of(e.conversationId(), e.userId(), "left", null));
        memberships.apply(e.conversationId(), version, roles -> remove(roles, e.userId()));
    }

    @EventHandler
    void on(MemberRemoved e, @SequenceNumber long version) {
        toMembersAnd(e.conversationId(), e.userId(),
                ServerFrames.Member.of(e.conversationId(), e.userId(), "removed", null));
        memberships.apply(e.conversationId(), version, roles -> remove(roles, e.userId()));
    }

    @EventHandler
    void on(MemberRoleChanged e, @SequenceNumber long version) {
        memberships.apply(e.conversationId(), version, roles -> put(roles, e.userId(), e.role()));
        toMembers(e.conversationId(), ServerFrames.Member.of(e.conversationId(), e.userId(), "role_changed",
                e.role().wireName()));
    }

    private void toMembers(String conversationId, Object frame) {
        String text = write(frame);
        forEachConnection(conversationId, c -> c.send(text));
    }

    /** To the members and to one user who is about to stop being one. */
    private void toMembersAnd(String conversationId, String userId, Object frame) {
        String text = write(frame);
        Optional<Membership> membership = memberships.get(conversationId);
        forEachConnection(conversationId, c -> c.send(text));
        if (membership.map(m -> !m.isMember(userId)).orElse(true)) {
            connections.of(userId).forEach(c -> c.send(text));
        }
    }

    private void toUser(String userId, Object frame) {
        String text = write(frame);
        connections.of(userId).forEach(c -> c.send(text));
    }

    private void forEachConnection(String conversationId, Consumer<Connection> action) {
        memberships.get(conversationId).ifPresentOrElse(
                membership -> membership.roles().keySet().forEach(user -> connections.of(user).forEach(action)),
                () -> log.debug("no membership known for {}; live frame not delivered", conversationId));
    }

    private String write(Object frame) {
        return Frames.write(json, frame);
    }

    private static Map<String, MemberRole> put(Map<String, MemberRole> roles, String user, MemberRole role) {
        roles.put(user, role);
        return roles;
    }

    private static Map<String, MemberRole> remove(Map<String, MemberRole> roles, String user) {
        roles.remove(user);
        return roles;
    }
}
