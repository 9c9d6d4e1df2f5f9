package io.parley.push.socket;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.ConversationsOfUserQuery;
import io.parley.api.conversation.ConversationQueries.MessagePage;
import io.parley.api.conversation.ConversationQueries.MessagePageQuery;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.wire.ServerFrames;
import io.parley.push.Backend;
import io.parley.push.PushProperties;
import io.parley.push.web.ErrorCode;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;

/**
 * Answers {@code sync}: everything after the client's positions in each of its conversations (after its read cursor
 * where it names none), then {@code synced}, then live frames.
 * <p>
 * Why no gap is possible: live message frames for this socket are held from the start of the sync. History is read
 * from the read model up to the highest seq the read model or this node's live stream has seen, waiting for the
 * read model to catch up if the stream is ahead; anything newer than that arrives on the stream, which is held and
 * released after {@code synced}. The connection's high-water mark drops whatever both paths carried.
 */
@Component
class SyncService {

    private static final Logger log = LoggerFactory.getLogger(SyncService.class);
    private static final int PAGE = 200;

    private final Backend backend;
    private final EventFanout fanout;
    private final ObjectMapper json;
    private final PushProperties properties;

    SyncService(Backend backend, EventFanout fanout, ObjectMapper json, PushProperties properties) {
        this.backend = backend;
        this.fanout = fanout;
        this.json = json;
        this.properties = properties;
    }

    Mono<Void> sync(Connection connection, String id, Map<String, Long> since) {
        return Mono.fromRunnable(() -> run(connection, id, since)).subscribeOn(backend.workers()).then();
    }

    private void run(Connection connection, String id, Map<String, Long> since) {
        connection.beginSync();
        Object outcome = ServerFrames.Synced.of(id);
        try {
            List<ConversationSummary> conversations = backend.queryNow(
                    new ConversationsOfUserQuery(connection.userId),
                    ResponseTypes.multipleInstancesOf(ConversationSummary.class));
            for (ConversationSummary conversation : conversations) {
                String conversationId = conversation.conversationId();
                long from = since.getOrDefault(conversationId, conversation.readSeq());
                connection.clientHas(conversationId, from);
                catchUp(connection, conversationId, from, conversation.lastSeq());
            }
        } catch (RuntimeException e) {
            log.warn("sync of user {} failed", connection.userId, e);
            ErrorCode code = ErrorCode.classify(e, true);
            outcome = ServerFrames.Error.of(id, code.name(), "sync failed; send sync again");
        } finally {
            connection.endSync(write(outcome));
        }
    }

    private void catchUp(Connection connection, String conversationId, long from, long lastSeqInReadModel) {
        long cursor = from;
        long deadline = System.nanoTime() + properties.syncWait().toNanos();
        while (cursor < Math.max(lastSeqInReadModel, fanout.lastSeqSeen(conversationId))) {
            MessagePage page = backend.queryNow(new MessagePageQuery(conversationId, null, cursor, PAGE),
                    ResponseTypes.instanceOf(MessagePage.class));
            for (MessageView message : page.messages()) {
                if (!connection.awaitRoom(properties.idleTimeout())) {
                    throw new IllegalStateException("the client stopped reading during sync");
                }
                connection.syncedUpTo(conversationId, message.seq(), write(ServerFrames.Message.of(message)));
                cursor = message.seq();
            }
            if (page.messages().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    log.warn("read model of {} still behind seq {} after {}; live stream will fill in",
                            conversationId, fanout.lastSeqSeen(conversationId), properties.syncWait());
                    return;
                }
                pause();
            }
        }
    }

    private String write(Object frame) {
        return Frames.write(json, frame);
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
