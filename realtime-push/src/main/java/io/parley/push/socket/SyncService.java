package io.parley.push.socket;

import io.parley.api.conversation.ConversationQueries.MessageReactions;
import io.parley.api.conversation.ConversationQueries.ReactionChangesQuery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.ConversationsOfUserQuery;
import io.parley.api.conversation.ConversationQueries.MessagePage;
import io.parley.api.conversation.ConversationQueries.MessagePageQuery;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.wire.ServerFrames;
import io.parley.push.Backend;
import io.parley.push.media.MediaLinks;
import io.parley.push.PushProperties;
import io.parley.push.conversation.ConversationAsOf;
import io.parley.push.web.ErrorCode;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Answers {@code sync}: everything after the client's positions in each of its conversations (after its read cursor
 * where it names none), then {@code synced}, then live frames.
 * <p>
 * Complete by construction: live message frames for this socket are held from the start of the sync. The queries
 * answer only once the read model holds every event committed before they arrived (read-your-writes, the query side's
 * {@code ConsistencyBarrier}), so the conversation list and each {@code lastSeq} cover everything committed before
 * the sync began; history is sent up to that {@code lastSeq}, and anything newer arrives on the live stream, which is
 * held and released after {@code synced}. The connection's per-conversation mark drops what both paths carried.
 * <p>
 * When the read model cannot answer (it is behind by more than the query side's wait, or gone), the conversations the
 * client named are read from the event store instead, and the sync ends with an {@code UNAVAILABLE} error rather than
 * {@code synced}: conversations it did not name cannot be listed without the read model, and the client must sync
 * again. A position beyond a conversation's last seq is taken as that last seq: the client gets nothing old and every
 * live message after it. A sync sends what the client asks for even if this socket sent it before.
 */
@Component
class SyncService {

    private static final Logger log = LoggerFactory.getLogger(SyncService.class);
    private static final int PAGE = 200;

    private final Backend backend;
    private final EventStore eventStore;
    private final ObjectMapper json;
    private final PushProperties properties;
    private final MediaLinks links;

    SyncService(Backend backend, EventStore eventStore, ObjectMapper json, PushProperties properties,
                MediaLinks links) {
        this.links = links;
        this.backend = backend;
        this.eventStore = eventStore;
        this.json = json;
        this.properties = properties;
    }

    Mono<Void> sync(Connection connection, String id, Map<String, Long> since) {
        return sync(connection, id, since, Map.of());
    }

    Mono<Void> sync(Connection connection, String id, Map<String, Long> since, Map<String, Long> reactionsSince) {
        return Mono.fromRunnable(() -> run(connection, id, since, reactionsSince)).subscribeOn(backend.workers())
                .then();
    }

    private void run(Connection connection, String id, Map<String, Long> since, Map<String, Long> reactionsSince) {
        connection.beginSync();
        Object outcome = ServerFrames.Synced.of(id);
        try {
            List<ConversationSummary> conversations = listOrNull(connection.userId);
            if (conversations == null) {
                List<ConversationAsOf.State> named = foldNamed(since);
                Set<String> mine = named.stream()
                        .filter(state -> state.members().stream().anyMatch(m -> m.userId().equals(connection.userId)))
                        .map(ConversationAsOf.State::conversationId).collect(Collectors.toSet());
                String stranger = notMine(mine, since, Map.of()); // reactions are not synced from the event store
                if (stranger != null) {
                    outcome = notAMember(id, stranger);
                    return;
                }
                fromEventStore(connection, since, named);
                outcome = ServerFrames.Error.retryable(id, ErrorCode.UNAVAILABLE.name(), "history is catching up: sent"
                        + " what was missed in the conversations named in 'since'; send sync again for the rest",
                        ErrorCode.retryAfterSeconds(null, ErrorCode.UNAVAILABLE));
            } else {
                String stranger = notMine(conversations.stream().map(ConversationSummary::conversationId)
                        .collect(Collectors.toSet()), since, reactionsSince);
                if (stranger != null) {
                    outcome = notAMember(id, stranger);
                    return;
                }
                for (ConversationSummary conversation : conversations) {
                    String conversationId = conversation.conversationId();
                    long from = Math.min(since.getOrDefault(conversationId, conversation.readSeq()),
                            conversation.lastSeq());
                    connection.resumeFrom(conversationId, from);
                    fromReadModel(connection, conversationId, from, conversation.lastSeq());
                    Long reactionsFrom = reactionsSince.get(conversationId);
                    if (reactionsFrom != null && reactionsFrom < conversation.reactionVersion()) {
                        reactionsFromReadModel(connection, conversationId, reactionsFrom);
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("sync of user {} failed", connection.userId, e);
            ErrorCode code = ErrorCode.classify(e, true);
            outcome = ServerFrames.Error.retryable(id, code.name(), "sync failed; send sync again",
                    ErrorCode.retryAfterSeconds(e, code));
        } finally {
            connection.endSync(write(outcome));
        }
    }

    /** The user's conversations, or null when the read model cannot answer correctly now. */
    private List<ConversationSummary> listOrNull(String userId) {
        try {
            return backend.queryNow(new ConversationsOfUserQuery(userId),
                    ResponseTypes.multipleInstancesOf(ConversationSummary.class));
        } catch (RuntimeException e) {
            log.warn("read model cannot answer the sync of user {} ({}); reading the event store", userId,
                    ErrorCode.messageOf(e, ErrorCode.classify(e, true)));
            return null;
        }
    }

    private void fromReadModel(Connection connection, String conversationId, long from, long lastSeq) {
        long cursor = from;
        while (cursor < lastSeq) {
            // up to lastSeq the read model is complete already: the conversation list waited for it
            MessagePage page = backend.queryEstablished(new MessagePageQuery(conversationId, null, cursor, PAGE),
                    ResponseTypes.instanceOf(MessagePage.class));
            if (page.messages().isEmpty()) {
                throw new IllegalStateException("history of " + conversationId + " ends at " + cursor
                        + " below its last seq " + lastSeq);
            }
            for (MessageView message : page.messages()) {
                send(connection, message);
                cursor = message.seq();
            }
        }
    }

    /**
     * The reaction changes the client missed: one {@code reaction} frame per message whose reactions changed after
     * {@code from}, with its reactions now (userId and emoji null), oldest change first.
     */
    private void reactionsFromReadModel(Connection connection, String conversationId, long from) {
        long cursor = from;
        while (true) {
            List<MessageReactions> changed = backend.queryEstablished(
                    new ReactionChangesQuery(conversationId, cursor, PAGE),
                    ResponseTypes.multipleInstancesOf(MessageReactions.class));
            for (MessageReactions m : changed) {
                if (!connection.awaitRoom(properties.idleTimeout())) {
                    throw new IllegalStateException("the client stopped reading during sync");
                }
                connection.send(write(ServerFrames.ReactionFrame.of(conversationId, m.messageId(), m.seq(), null, null,
                        null, m.reactions(), m.reactionVersion())));
                cursor = m.reactionVersion();
            }
            if (changed.size() < PAGE) {
                return;
            }
        }
    }

    /**
     * The first conversation named in {@code since} or {@code reactionsSince} that is not among {@code mine}, or null.
     * A sync that names one is refused as a whole, before anything is sent, as HTTP history refuses a non-member
     * (403 {@code FORBIDDEN}); an unknown conversation is answered the same, so a sync cannot probe which exist.
     */
    private static String notMine(Set<String> mine, Map<String, Long> since, Map<String, Long> reactionsSince) {
        for (Map<String, Long> named : List.of(since, reactionsSince)) {
            for (String conversationId : named.keySet()) {
                if (!mine.contains(conversationId)) {
                    return conversationId;
                }
            }
        }
        return null;
    }

    private static ServerFrames.Error notAMember(String id, String conversationId) {
        return ServerFrames.Error.of(id, ErrorCode.FORBIDDEN.name(), "not a member of this conversation: '"
                + conversationId + "' (named in the sync); send sync again without it");
    }

    /** The conversations named in {@code since}, folded from their events. */
    private List<ConversationAsOf.State> foldNamed(Map<String, Long> since) {
        return since.keySet().stream().map(conversationId -> {
            ConversationAsOf folded = new ConversationAsOf(conversationId);
            eventStore.readEvents(conversationId, 0).asStream()
                    .forEach(event -> folded.apply(event.getSequenceNumber(), event.getPayload(), false));
            return folded.state(Instant.now());
        }).toList();
    }

    /** What was missed in the conversations named in {@code since} (the user's, each), from their events. */
    private void fromEventStore(Connection connection, Map<String, Long> since, List<ConversationAsOf.State> named) {
        named.forEach(state -> {
            String conversationId = state.conversationId();
            long position = since.get(conversationId);
            long lastSeq = state.messages().isEmpty() ? 0 : state.messages().get(state.messages().size() - 1).seq();
            long from = Math.min(position, lastSeq);
            connection.resumeFrom(conversationId, from);
            state.messages().stream().filter(m -> m.seq() > from).forEach(m -> send(connection,
                    new MessageView(conversationId, m.messageId(), m.seq(), m.senderId(), m.text(), m.sentAt(),
                            m.editedAt(), m.deleted(), m.attachments())));
        });
    }

    private void send(Connection connection, MessageView message) {
        if (!connection.awaitRoom(properties.idleTimeout())) {
            throw new IllegalStateException("the client stopped reading during sync");
        }
        connection.syncedUpTo(message.conversationId(), message.seq(), write(ServerFrames.Message.of(links.of(message))));
    }

    private String write(Object frame) {
        return Frames.write(json, frame);
    }
}
