package io.parley.push.socket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
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
import io.parley.push.web.InputPolicy;
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
    private final InputPolicy input;

    FrameHandler(Backend backend, SyncService sync, PresenceService presence, ObjectMapper json, RateLimits limits,
                 MembershipCache memberships, InputPolicy input) {
        this.memberships = memberships;
        this.input = input;
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
            frame = Frame.parse(input, inbound.text());
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

    /**
     * A client frame with accessors that check what the protocol requires. Values are read by the {@link InputPolicy}
     * of HTTP bodies: the same types, the same refusal of lone surrogates, the same message.
     */
    private record Frame(String type, String id, JsonNode body, InputPolicy input) {

        static Frame parse(InputPolicy input, String text) {
            JsonNode node;
            try {
                node = input.readTree(text);
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
                try {
                    idText = input.read(node, "id", String.class);
                } catch (JsonMappingException e) {
                    throw new BadFrame(id.asText(), ErrorCode.messageOf(e, ErrorCode.BAD_FRAME)); // echoed as sent
                }
            }
            JsonNode type = node.get("type");
            if (type == null || !type.isTextual()) {
                throw new BadFrame(idText, "frame needs a string 'type'");
            }
            return new Frame(type.asText(), idText, node, input);
        }

        String requiredId() {
            if (id == null) {
                throw new BadFrame(null, "'" + type + "' needs an 'id' (the idempotency key)");
            }
            return id;
        }

        String text(String field) {
            return required(field, String.class, "a string");
        }

        long number(String field) {
            return required(field, Long.class, "an integer");
        }

        private <T> T required(String field, Class<T> type, String what) {
            JsonNode value = body.get(field);
            if (value == null || value.isNull()) {
                throw new BadFrame(id, "'" + this.type + "' needs " + what + " '" + field + "'");
            }
            try {
                return input.read(body, field, type);
            } catch (JsonMappingException e) {
                throw new BadFrame(id, ErrorCode.messageOf(e, ErrorCode.BAD_FRAME));
            }
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
            value.fieldNames().forEachRemaining(conversationId -> {
                Long seq;
                try {
                    seq = input.read(value, conversationId, Long.class);
                } catch (JsonMappingException e) {
                    seq = null;
                }
                if (seq == null || seq < 0) {
                    throw new BadFrame(id, "'" + field + "." + conversationId + "' must be a seq (integer >= 0)");
                }
                positions.put(conversationId, seq);
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
