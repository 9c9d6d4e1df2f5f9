package io.parley.push.socket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import io.parley.api.wire.ClientFrame;
import io.parley.api.wire.ClientInput;
import io.parley.api.wire.ServerFrames;
import io.parley.push.Backend;
import io.parley.push.audit.Origin;
import io.parley.push.EdgeMetrics;
import io.parley.push.conversation.ConversationService;
import io.parley.push.limits.RateLimits;
import io.parley.push.presence.PresenceService;
import io.parley.push.socket.ChatSocketHandler.InboundFrame;
import io.parley.push.web.ApiException;
import io.parley.push.web.ErrorCode;
import io.parley.push.web.ErrorResponses;
import io.parley.push.web.InputPolicy;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Optional;

/**
 * Reads one client frame into its record ({@link ClientFrame}) and answers it: a frame becomes a call of the
 * conversation service (or of presence, or sync), its result becomes a frame. A frame that cannot be read is answered
 * with an {@code error} frame and the connection stays open: one bad frame never costs a client its socket.
 */
@Component
class FrameHandler {

    private final ConversationService conversations;
    private final SyncService sync;
    private final PresenceService presence;
    private final Backend backend;
    private final ObjectMapper json;
    private final RateLimits limits;
    private final InputPolicy input;
    private final EdgeMetrics metrics;

    FrameHandler(ConversationService conversations, SyncService sync, PresenceService presence, Backend backend,
                 ObjectMapper json, RateLimits limits, InputPolicy input, EdgeMetrics metrics) {
        this.conversations = conversations;
        this.sync = sync;
        this.presence = presence;
        this.backend = backend;
        this.json = json;
        this.limits = limits;
        this.input = input;
        this.metrics = metrics;
    }

    Mono<Void> handle(Connection connection, InboundFrame inbound) {
        if (inbound.problem() != null) {
            connection.firstFrame(false);
            reply(connection, ServerFrames.Error.of(null,
                    inbound.tooLarge() ? ErrorCode.TOO_LARGE.name() : ErrorCode.BAD_FRAME.name(), inbound.problem()));
            return Mono.empty();
        }
        ClientFrame frame;
        String traceparent;
        try {
            JsonNode tree = tree(inbound.text());
            frame = read(tree);
            traceparent = traceparent(tree, frame);
        } catch (BadFrame e) {
            connection.firstFrame(false);
            reply(connection, ServerFrames.Error.of(e.id, ErrorCode.BAD_FRAME.name(), e.getMessage()));
            return Mono.empty();
        }
        connection.firstFrame(frame instanceof ClientFrame.Sync);
        Optional<Duration> wait = limits.take(connection.userId, RateLimits.Kind.FRAME)
                .or(() -> frame instanceof ClientFrame.Typing ? limits.take(connection.userId, RateLimits.Kind.TYPING)
                        : Optional.empty());
        if (wait.isPresent()) {
            reply(connection, ServerFrames.Error.retryable(frame.id(), ErrorCode.RATE_LIMITED.name(),
                    "too many frames; retry in " + Math.max(1, wait.get().toMillis()) + " ms",
                    ErrorCode.retryAfterSeconds(new ApiException(ErrorCode.RATE_LIMITED, null, wait.get()),
                            ErrorCode.RATE_LIMITED)));
            return Mono.empty();
        }
        Mono<Void> answer = Mono.defer(() -> dispatch(connection, frame))
                .onErrorResume(e -> {
                    fail(connection, frame, e);
                    return Mono.empty();
                });
        return traceparent == null ? answer : answer.contextWrite(context ->
                context.<Origin>getOrEmpty(Origin.class).map(origin -> origin.traced(traceparent).into(context))
                        .orElse(context));
    }

    // An if-chain over the sealed type: a switch with type patterns needs Java 21.
    private Mono<Void> dispatch(Connection connection, ClientFrame frame) {
        String user = connection.userId;
        if (frame instanceof ClientFrame.Send send) {
            long start = System.nanoTime();
            return conversations.send(user, send.conversationId(), send.id(), send.text(), send.attachments(),
                            send.mentions(), send.replyTo())
                    .doOnNext(ack -> {
                        reply(connection, ack);
                        metrics.acked(start);
                    })
                    .then();
        } else if (frame instanceof ClientFrame.Delivered delivered) {
            return confirm(connection, frame,
                    conversations.markDelivered(user, delivered.conversationId(), delivered.upToSeq()));
        } else if (frame instanceof ClientFrame.Read read) {
            return confirm(connection, frame, conversations.markRead(user, read.conversationId(), read.upToSeq()));
        } else if (frame instanceof ClientFrame.Edit edit) {
            return confirm(connection, frame,
                    conversations.edit(user, edit.conversationId(), edit.seq(), edit.text()));
        } else if (frame instanceof ClientFrame.Delete delete) {
            return confirm(connection, frame, conversations.delete(user, delete.conversationId(), delete.seq()));
        } else if (frame instanceof ClientFrame.React react) {
            return confirm(connection, frame, conversations.react(user, react.conversationId(), react.seq(),
                    react.emoji(), react.remove()));
        } else if (frame instanceof ClientFrame.Typing typing) {
            return Mono.fromRunnable(() -> presence.typing(user, typing.conversationId()))
                    .subscribeOn(backend.workers()).then();
        } else if (frame instanceof ClientFrame.Sync request) {
            return sync.sync(connection, request.id(), request.since(), request.reactionsSince());
        } else if (frame instanceof ClientFrame.Ping) {
            reply(connection, ServerFrames.Pong.of(frame.id()));
            return Mono.empty();
        }
        throw new IllegalStateException("no handler for " + frame.getClass().getSimpleName());
    }

    /** Commands without a result of their own are confirmed with {@code ok} when the frame carried an id. */
    private Mono<Void> confirm(Connection connection, ClientFrame frame, Mono<Void> command) {
        return command.then(Mono.fromRunnable(() -> {
            if (frame.id() != null) {
                reply(connection, ServerFrames.Ok.of(frame.id()));
            }
        }));
    }

    private void fail(Connection connection, ClientFrame frame, Throwable error) {
        ErrorCode code = ErrorCode.classify(error, true);
        if (code == ErrorCode.INTERNAL) { // logged as over HTTP; not the refusals of a full lane (UNAVAILABLE), which
            // can be thousands a second under overload and are the client's to retry
            ErrorResponses.log("socket frame " + frame.getClass().getSimpleName(), code, error);
        }
        reply(connection, ServerFrames.Error.retryable(frame.id(), code.name(), ErrorCode.messageOf(error, code),
                ErrorCode.retryAfterSeconds(error, code)));
    }

    private void reply(Connection connection, Object frame) {
        connection.send(Frames.write(json, frame));
    }

    /**
     * The frame as a JSON tree (read first: its {@code id} and {@code traceparent} are looked at before its record), by
     * the {@link InputPolicy} of HTTP bodies. A frame with a duplicate key or anything after its object is refused
     * before any of it is read (so without an id), as an HTTP body is.
     */
    private JsonNode tree(String text) {
        JsonNode tree;
        try {
            tree = input.readTree(text);
        } catch (JsonProcessingException e) {
            String message = ErrorCode.messageOf(e, ErrorCode.BAD_FRAME);
            // a duplicate key or more after the object: the same words as for an HTTP body; else as before
            throw new BadFrame(null, message.startsWith("malformed JSON body: ") ? message : "frame is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw new BadFrame(null, "frame must be a JSON object");
        }
        return tree;
    }

    /**
     * The frame's record, read by the {@link InputPolicy} of HTTP bodies: the same types, the same refusal of lone
     * surrogates, the same message for the same fault. A refusal echoes the frame's {@code id} when it is a string of
     * the right length (as sent, so also one with a lone surrogate), else none.
     */
    private ClientFrame read(JsonNode tree) {
        JsonNode id = tree.get("id");
        String echo = id != null && id.isTextual() && ClientInput.isClientId(id.textValue()) ? id.textValue() : null;
        try {
            return input.read(tree, ClientFrame.class);
        } catch (InvalidTypeIdException e) {
            throw new BadFrame(echo, e.getTypeId() == null ? "frame needs a string 'type'"
                    : "unknown frame type '" + e.getTypeId() + "'");
        } catch (JsonProcessingException e) {
            throw new BadFrame(echo, ErrorCode.messageOf(e, ErrorCode.BAD_FRAME));
        } catch (IllegalArgumentException e) { // Jackson's wrapper of other I/O failures: nothing to tell the client
            throw new BadFrame(echo, ErrorCode.BAD_FRAME.defaultMessage());
        }
    }

    /**
     * The optional {@code traceparent} any frame may carry (W3C Trace Context): the command the frame sends continues
     * that trace. One that is not a valid {@code traceparent} is a {@code BAD_FRAME}: it is a field of this contract,
     * unlike an HTTP header that W3C asks receivers to ignore when malformed.
     */
    private static String traceparent(JsonNode tree, ClientFrame frame) {
        JsonNode value = tree.get(Origin.TRACEPARENT);
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            return ClientInput.traceparent(value.isTextual() ? value.textValue() : value, Origin.TRACEPARENT);
        } catch (RuntimeException e) {
            throw new BadFrame(frame.id(), e.getMessage());
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
