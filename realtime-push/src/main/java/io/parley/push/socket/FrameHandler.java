package io.parley.push.socket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.api.conversation.ConversationCommands.DeleteMessage;
import io.parley.api.conversation.ConversationCommands.EditMessage;
import io.parley.api.conversation.ConversationCommands.MarkDelivered;
import io.parley.api.conversation.ConversationCommands.MarkRead;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationCommands.SendResult;
import io.parley.api.wire.ServerFrames;
import io.parley.api.error.ForbiddenException;
import io.parley.push.Backend;
import io.parley.push.membership.MembershipCache;
import io.parley.push.presence.PresenceService;
import io.parley.push.socket.ChatSocketHandler.InboundFrame;
import io.parley.push.web.ErrorCode;
import io.parley.push.limits.RateLimits;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.Map;

/**
 * Reads one client frame and answers it. A frame that cannot be understood is answered with an {@code error} frame
 * and the connection stays open: one bad frame never costs a client its socket.
 */
@Component
class FrameHandler {

    private static final int MAX_ID_LENGTH = 128;

    private final Backend backend;
    private final SyncService sync;
    private final PresenceService presence;
    private final ObjectMapper json;
    private final RateLimits limits;
    private final MembershipCache memberships;

    FrameHandler(Backend backend, SyncService sync, PresenceService presence, ObjectMapper json, RateLimits limits,
                 MembershipCache memberships) {
        this.memberships = memberships;
        this.backend = backend;
        this.sync = sync;
        this.presence = presence;
        this.json = json;
        this.limits = limits;
    }

    Mono<Void> handle(Connection connection, InboundFrame inbound) {
        if (inbound.problem() != null) {
            connection.firstFrame(false);
            reply(connection, ServerFrames.Error.of(null,
                    inbound.tooLarge() ? ErrorCode.TOO_LARGE.name() : ErrorCode.BAD_FRAME.name(), inbound.problem()));
            return Mono.empty();
        }
        Frame frame;
        try {
            frame = Frame.parse(json, inbound.text());
        } catch (BadFrame e) {
            connection.firstFrame(false);
            reply(connection, ServerFrames.Error.of(e.id, ErrorCode.BAD_FRAME.name(), e.getMessage()));
            return Mono.empty();
        }
        connection.firstFrame("sync".equals(frame.type()));
        Optional<Duration> wait = limits.take(connection.userId, RateLimits.Kind.FRAME)
                .or(() -> "send".equals(frame.type()) ? limits.take(connection.userId, RateLimits.Kind.SEND)
                        : Optional.empty())
                .or(() -> "typing".equals(frame.type()) ? limits.take(connection.userId, RateLimits.Kind.TYPING)
                        : Optional.empty());
        if (wait.isPresent()) {
            reply(connection, ServerFrames.Error.of(frame.id(), ErrorCode.RATE_LIMITED.name(),
                    "too many frames; retry in " + Math.max(1, wait.get().toMillis()) + " ms"));
            return Mono.empty();
        }
        return Mono.defer(() -> dispatch(connection, frame))
                .onErrorResume(e -> {
                    if (e instanceof BadFrame bad) {
                        reply(connection, ServerFrames.Error.of(frame.id(), ErrorCode.BAD_FRAME.name(), bad.getMessage()));
                    } else {
                        fail(connection, frame.id(), e);
                    }
                    return Mono.empty();
                });
    }

    private Mono<Void> dispatch(Connection connection, Frame frame) {
        String user = connection.userId;
        switch (frame.type()) {
            case "send" -> {
                String clientMsgId = frame.requiredId();
                SendMessage command = new SendMessage(frame.text("conversationId"), user, clientMsgId,
                        frame.text("text"));
                return asMember(user, command.conversationId(), backend.<SendResult>send(command))
                        .doOnNext(result -> reply(connection, ServerFrames.Ack.of(clientMsgId, result)))
                        .then();
            }
            case "delivered" -> {
                String conversationId = frame.text("conversationId");
                return confirm(connection, frame, asMember(user, conversationId,
                        backend.send(new MarkDelivered(conversationId, user, frame.number("upToSeq")))));
            }
            case "read" -> {
                String conversationId = frame.text("conversationId");
                return confirm(connection, frame, asMember(user, conversationId,
                        backend.send(new MarkRead(conversationId, user, frame.number("upToSeq")))));
            }
            case "edit" -> {
                String conversationId = frame.text("conversationId");
                return confirm(connection, frame, asMember(user, conversationId,
                        backend.send(new EditMessage(conversationId, user, frame.number("seq"), frame.text("text")))));
            }
            case "delete" -> {
                String conversationId = frame.text("conversationId");
                return confirm(connection, frame, asMember(user, conversationId,
                        backend.send(new DeleteMessage(conversationId, user, frame.number("seq")))));
            }
            case "typing" -> {
                String conversationId = frame.text("conversationId");
                return Mono.fromRunnable(() -> presence.typing(user, conversationId))
                        .subscribeOn(backend.workers()).then();
            }
            case "sync" -> {
                return sync.sync(connection, frame.id(), frame.positions("since"));
            }
            case "ping" -> {
                reply(connection, ServerFrames.Pong.of(frame.id()));
                return Mono.empty();
            }
            default -> throw new BadFrame(frame.id(), "unknown frame type '" + frame.type() + "'");
        }
    }

    /**
     * A command that fails for a sender who is not a member of the conversation is answered {@code FORBIDDEN}, the
     * same whatever the aggregate found first (no such conversation, a direct conversation, ...), as on HTTP: a
     * non-member learns nothing about a conversation, not even that it exists. Looked up only on failure.
     */
    private <T> Mono<T> asMember(String userId, String conversationId, Mono<T> command) {
        return command.onErrorResume(error -> Mono
                .fromCallable(() -> memberships.get(conversationId).filter(m -> m.isMember(userId)).isPresent())
                .subscribeOn(backend.workers())
                .flatMap(member -> Mono.<T>error(member ? error
                        : new ForbiddenException("not a member of this conversation"))));
    }

    /** Commands without a result of their own are confirmed with {@code ok} when the frame carried an id. */
    private Mono<Void> confirm(Connection connection, Frame frame, Mono<?> command) {
        return command.then(Mono.fromRunnable(() -> {
            if (frame.id() != null) {
                reply(connection, ServerFrames.Ok.of(frame.id()));
            }
        }));
    }

    private void fail(Connection connection, String id, Throwable error) {
        ErrorCode code = ErrorCode.classify(error, true);
        reply(connection, ServerFrames.Error.of(id, code.name(), ErrorCode.messageOf(error, code)));
    }

    private void reply(Connection connection, Object frame) {
        connection.send(Frames.write(json, frame));
    }

    /** A client frame with accessors that check what the protocol requires. */
    private record Frame(String type, String id, JsonNode body) {

        static Frame parse(ObjectMapper json, String text) {
            JsonNode node;
            try {
                node = json.readTree(text);
            } catch (JsonProcessingException e) {
                throw new BadFrame(null, "frame is not valid JSON");
            }
            if (node == null || !node.isObject()) {
                throw new BadFrame(null, "frame must be a JSON object");
            }
            JsonNode id = node.get("id");
            String idText = null;
            if (id != null && !id.isNull()) {
                if (!id.isTextual() || id.asText().isEmpty() || id.asText().length() > MAX_ID_LENGTH) {
                    throw new BadFrame(null, "'id' must be a string of 1 to " + MAX_ID_LENGTH + " characters");
                }
                idText = id.asText();
            }
            JsonNode type = node.get("type");
            if (type == null || !type.isTextual()) {
                throw new BadFrame(idText, "frame needs a string 'type'");
            }
            return new Frame(type.asText(), idText, node);
        }

        String requiredId() {
            if (id == null) {
                throw new BadFrame(null, "'" + type + "' needs an 'id' (the idempotency key)");
            }
            return id;
        }

        String text(String field) {
            JsonNode value = body.get(field);
            if (value == null || !value.isTextual()) {
                throw new BadFrame(id, "'" + type + "' needs a string '" + field + "'");
            }
            return value.asText();
        }

        long number(String field) {
            JsonNode value = body.get(field);
            if (value == null || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
                throw new BadFrame(id, "'" + type + "' needs an integer '" + field + "'");
            }
            return value.asLong();
        }

        /** An optional object of conversation id to seq. */
        Map<String, Long> positions(String field) {
            JsonNode value = body.get(field);
            Map<String, Long> positions = new LinkedHashMap<>();
            if (value == null || value.isNull()) {
                return positions;
            }
            if (!value.isObject()) {
                throw new BadFrame(id, "'" + field + "' must be an object of conversationId to seq");
            }
            value.fields().forEachRemaining(entry -> {
                JsonNode seq = entry.getValue();
                if (!seq.canConvertToExactIntegral() || seq.asLong() < 0) {
                    throw new BadFrame(id, "'" + field + "." + entry.getKey() + "' must be a seq (integer >= 0)");
                }
                positions.put(entry.getKey(), seq.asLong());
            });
            return positions;
        }
    }

    private static final class BadFrame extends RuntimeException {
        private final String id;

        BadFrame(String id, String message) {
            super(message, null, false, false);
            this.id = id;
        }
    }
}
