package io.parley.push.socket;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.api.conversation.ConversationEvents.ConversationEvent;
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
import io.parley.push.EdgeMetrics;
import io.parley.push.membership.Membership;
import io.parley.push.media.MediaLinks;
import io.parley.push.block.BlockList;
import io.parley.api.conversation.ConversationEvents.ReactionAdded;
import io.parley.api.conversation.ConversationEvents.ReactionRemoved;
import io.parley.api.user.UserEvents.UserBlocked;
import io.parley.api.user.UserEvents.UserUnblocked;
import io.parley.push.membership.MembershipCache;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.tracing.Span;
import org.axonframework.tracing.SpanFactory;
import org.axonframework.tracing.SpanScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Streams the event log from where it stood when this node started and delivers each event to the sockets of the
 * members connected to this node. Reading the event store (not a subscribing handler on the local bus) makes live
 * delivery work whichever process wrote the event; in one JVM a commit wakes the stream at once.
 * <p>
 * Live delivery is best effort by design: a client that was away, or a gap the stream skipped, is closed by
 * {@code sync}, which reads the history.
 * <p>
 * Delivering an event takes its conversation's members. Those this node has not seen yet (a conversation created
 * before it started, or evicted from its cache) are loaded from the read model on a loader thread, as of the event:
 * the read model may lag the stream, and the load waits until it holds the event (up to
 * {@code parley.query.consistency-wait}). Meanwhile that conversation's later events wait behind it, in order, and
 * every other conversation's events go on being delivered ({@link WaitingEvents}, which also says what is dropped
 * when the read model is too far behind; clients get it on sync).
 */
@Component
class EventFanout implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventFanout.class);
    private static final Supplier<String> SPAN_NAME = () -> "EventFanout.deliver";
    /** Conversations whose members are loaded at once; each load is one indexed read once the read model is there. */
    private static final int LOADERS = 4;
    /** The most events waiting for members in all (at 5,000 msg/s, 20 s of the whole stream). */
    private static final int MAX_WAITING = 100_000;

    private final EventStore eventStore;
    private final EdgeMetrics metrics;
    private final ConnectionRegistry connections;
    private final MembershipCache memberships;
    private final ObjectMapper json;
    private final MediaLinks links;
    private final BlockList blocks;
    private final SpanFactory spans;
    private final Duration consistencyWait;
    /** Events of conversations whose members are being loaded; a new one at each start. */
    private volatile WaitingEvents<TrackedEventMessage<?>> waiting;
    private volatile boolean running;
    private Thread reader;

    /**
     * @param consistencyWait {@code parley.query.consistency-wait}: how long a load of members may wait for the read
     *                        model, and how long after its first event one is still started
     */
    EventFanout(EventStore eventStore, ConnectionRegistry connections, MembershipCache memberships,
                ObjectMapper json, MediaLinks links, BlockList blocks, EdgeMetrics metrics, SpanFactory spans,
                @Value("${parley.query.consistency-wait:5s}") Duration consistencyWait) {
        this.consistencyWait = consistencyWait;
        this.metrics = metrics;
        this.spans = spans;
        this.links = links;
        this.blocks = blocks;
        this.eventStore = eventStore;
        this.connections = connections;
        this.memberships = memberships;
        this.json = json;
    }

    @Override
    public void start() {
        running = true;
        waiting = new WaitingEvents<>((conversationId, first) -> memberships.load(conversationId,
                first.trackingToken().position()).isPresent(), this::deliver, LOADERS, MAX_WAITING, consistencyWait);
        TrackingToken head = eventStore.createHeadToken();
        reader = new Thread(() -> read(head), "parley-fanout");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public void stop() {
        running = false;
        if (reader != null) {
            reader.interrupt();
        }
        if (waiting != null) {
            waiting.stop();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after Axon's components, stops before them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    private void read(TrackingToken from) {
        TrackingToken token = from;
        while (running) {
            try (BlockingStream<TrackedEventMessage<?>> stream = eventStore.openStream(token)) {
                while (running) {
                    if (stream.hasNextAvailable(250, TimeUnit.MILLISECONDS)) {
                        TrackedEventMessage<?> event = stream.nextAvailable();
                        token = event.trackingToken();
                        route(event);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (running) {
                    log.warn("event stream for live delivery failed; reopening", e);
                    sleep();
                }
            }
        }
    }

    /**
     * Delivers the event now, or, when its conversation's members must be loaded first or its earlier events wait for
     * them, once they are ({@link WaitingEvents}).
     */
    private void route(TrackedEventMessage<?> event) {
        String conversationId = conversationNeedingMembers(event.getPayload());
        if (conversationId == null) {
            deliver(event);
        } else {
            waiting.submit(conversationId, event, () -> memberships.getIfCached(conversationId).isPresent());
        }
    }

    /** The conversation whose members delivering this event takes; null for an event that brings its own or none. */
    private static String conversationNeedingMembers(Object payload) {
        return payload instanceof ConversationEvent e && !(payload instanceof DirectConversationOpened)
                && !(payload instanceof GroupCreated) ? e.conversationId() : null;
    }

    /**
     * Within a span continuing the trace the event carries (the command's that caused it), when there is a sampled one;
     * else Axon's no-op span, and the delivery costs what it did without tracing.
     */
    private void deliver(TrackedEventMessage<?> event) {
        Span span = spans.createChildHandlerSpan(SPAN_NAME, event).start();
        try (SpanScope ignored = span.makeCurrent()) {
            deliverNow(event);
        } finally {
            span.end();
        }
    }

    private void deliverNow(TrackedEventMessage<?> event) {
        long version = event instanceof DomainEventMessage<?> domain ? domain.getSequenceNumber() : 0;
        Object payload = event.getPayload();
        try {
            if (payload instanceof MessageSent e) {
                onMessage(e, event.getTimestamp().toEpochMilli());
            } else if (payload instanceof ReactionAdded e) {
                toMembers(e.conversationId(), ServerFrames.ReactionFrame.of(e.conversationId(), e.messageId(),
                        e.seq(), e.userId(), e.emoji(), true, null, e.reactionVersion()));
            } else if (payload instanceof ReactionRemoved e) {
                toMembers(e.conversationId(), ServerFrames.ReactionFrame.of(e.conversationId(), e.messageId(),
                        e.seq(), e.userId(), e.emoji(), false, null, e.reactionVersion()));
            } else if (payload instanceof UserBlocked e) {
                blocks.applied(e.userId(), e.blockedUserId(), true);
            } else if (payload instanceof UserUnblocked e) {
                blocks.applied(e.userId(), e.blockedUserId(), false);
            } else if (payload instanceof MessagesDelivered e) {
                toMembers(e.conversationId(), ServerFrames.Receipt.delivered(e.conversationId(), e.userId(), e.upToSeq()));
            } else if (payload instanceof MessagesRead e) {
                toMembers(e.conversationId(), ServerFrames.Receipt.read(e.conversationId(), e.userId(), e.upToSeq()));
            } else if (payload instanceof MessageEdited e) {
                toMembers(e.conversationId(), ServerFrames.messageUpdated(new MessageView(e.conversationId(),
                        e.messageId(), e.seq(), null, e.text(), null, e.editedAt(), false, List.of())));
            } else if (payload instanceof MessageDeleted e) {
                toMembers(e.conversationId(), ServerFrames.messageUpdated(new MessageView(e.conversationId(),
                        e.messageId(), e.seq(), null, null, null, null, true, List.of())));
            } else if (payload instanceof DirectConversationOpened e) {
                memberships.offer(MembershipCache.of(e.conversationId(), ConversationType.DIRECT,
                        e.memberIds().stream().map(id -> new Member(id, MemberRole.MEMBER)).toList(), version));
                for (String member : e.memberIds()) {
                    toUser(member, ServerFrames.Member.of(e.conversationId(), member, "joined",
                            MemberRole.MEMBER.wireName()));
                }
            } else if (payload instanceof GroupCreated e) {
                memberships.offer(MembershipCache.of(e.conversationId(), ConversationType.GROUP, e.members(), version));
                for (Member m : e.members()) {
                    toUser(m.userId(), ServerFrames.Member.of(e.conversationId(), m.userId(), "joined",
                            m.role().wireName()));
                }
            } else if (payload instanceof MemberAdded e) {
                memberships.apply(e.conversationId(), version, roles -> put(roles, e.userId(), e.role()));
                toMembers(e.conversationId(), ServerFrames.Member.of(e.conversationId(), e.userId(), "joined",
                        e.role().wireName()));
            } else if (payload instanceof MemberLeft e) {
                toMembersAnd(e.conversationId(), e.userId(),
                        ServerFrames.Member.of(e.conversationId(), e.userId(), "left", null));
                memberships.apply(e.conversationId(), version, roles -> remove(roles, e.userId()));
            } else if (payload instanceof MemberRemoved e) {
                toMembersAnd(e.conversationId(), e.userId(),
                        ServerFrames.Member.of(e.conversationId(), e.userId(), "removed", null));
                memberships.apply(e.conversationId(), version, roles -> remove(roles, e.userId()));
            } else if (payload instanceof MemberRoleChanged e) {
                memberships.apply(e.conversationId(), version, roles -> put(roles, e.userId(), e.role()));
                toMembers(e.conversationId(), ServerFrames.Member.of(e.conversationId(), e.userId(), "role_changed",
                        e.role().wireName()));
            }
        } catch (RuntimeException e) {
            log.warn("could not deliver {} live; clients will get it on sync", event.getPayloadType().getSimpleName(), e);
        }
    }

    /**
     * A live message carries its mentions and the seq it replies to; its {@code quote} is null (the history and sync
     * carry it; the client shows the quoted message it holds). A recipient who has blocked the sender gets it marked
     * {@code fromBlocked} (when this node knows their list; their client also hides by its own list).
     */
    private void onMessage(MessageSent e, long committedAt) {
        ServerFrames.Message message = new ServerFrames.Message("message", e.conversationId(), e.messageId(), e.seq(),
                e.senderId(), e.text(), e.sentAt(), null, false, links.of(e.attachments()),
                e.replyTo(), null, e.mentionsOrNone(), List.of(), 0, false);
        String frame = write(message);
        String[] marked = {null}; // written only for a recipient who blocked the sender: rare, and a write per message
        int[] sockets = {0};
        memberships.get(e.conversationId()).ifPresent(membership -> membership.roles().keySet().forEach(user -> {
            String text = frame;
            if (blocks.hasBlockedIfKnown(user, e.senderId())) {
                if (marked[0] == null) {
                    marked[0] = write(message.markedFromBlocked());
                }
                text = marked[0];
            }
            for (Connection c : connections.of(user)) {
                c.sendMessage(e.conversationId(), e.seq(), text);
                sockets[0]++;
            }
        }));
        if (sockets[0] > 0) {
            metrics.deliveredAfter(System.currentTimeMillis() - committedAt);
            metrics.messagesDelivered(sockets[0]);
        }
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

    private static java.util.Map<String, MemberRole> put(java.util.Map<String, MemberRole> roles, String user,
                                                         MemberRole role) {
        roles.put(user, role);
        return roles;
    }

    private static java.util.Map<String, MemberRole> remove(java.util.Map<String, MemberRole> roles, String user) {
        roles.remove(user);
        return roles;
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
