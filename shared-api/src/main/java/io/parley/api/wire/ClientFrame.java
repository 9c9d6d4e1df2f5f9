package io.parley.api.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parley.api.error.InvalidCommandException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.parley.api.wire.ClientInput.clientId;
import static io.parley.api.wire.ClientInput.required;

/**
 * Frames a client sends on {@code /ws} (PROTOCOL.md, and Parley's {@code edit} and {@code delete}): one JSON object
 * each, its {@code type} naming the record. Names are part of the client contract: add, never rename.
 * <p>
 * Every frame may carry an {@code id} (1 to 128 characters) that the answer echoes. Each record's constructor checks
 * what the protocol requires ({@link ClientInput}), so a frame that exists is a frame the server can act on; an
 * unknown {@code type}, a missing field or a value of the wrong JSON type is a {@code BAD_FRAME}. Fields a frame does
 * not define are ignored.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientFrame.Send.class, name = "send"),
        @JsonSubTypes.Type(value = ClientFrame.Delivered.class, name = "delivered"),
        @JsonSubTypes.Type(value = ClientFrame.Read.class, name = "read"),
        @JsonSubTypes.Type(value = ClientFrame.Edit.class, name = "edit"),
        @JsonSubTypes.Type(value = ClientFrame.Delete.class, name = "delete"),
        @JsonSubTypes.Type(value = ClientFrame.Typing.class, name = "typing"),
        @JsonSubTypes.Type(value = ClientFrame.Sync.class, name = "sync"),
        @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping")})
@JsonIgnoreProperties(ignoreUnknown = true)
public sealed interface ClientFrame {

    /** The client's id for this frame, echoed by the answer; null when it sent none. */
    String id();

    /**
     * Sends {@code text} to the conversation; {@code id} is required: it is the idempotency key (clientMsgId).
     * {@code attachments} are media ids of finished uploads ({@code /api/media}); with some, {@code text} may be left
     * out (a caption is optional).
     */
    record Send(String id, String conversationId, String text, List<String> attachments) implements ClientFrame {
        public Send {
            clientId(required(id, "id"), "id");
            required(conversationId, "conversationId");
            attachments = ClientInput.attachments(attachments);
            if (attachments.isEmpty()) {
                required(text, "text");
            }
        }

        /** A text message. */
        public Send(String id, String conversationId, String text) {
            this(id, conversationId, text, List.of());
        }
    }

    /** The messages up to {@code upToSeq} reached the client: moves its delivered cursor. */
    record Delivered(String id, String conversationId, Long upToSeq) implements ClientFrame {
        public Delivered {
            clientId(id, "id");
            required(conversationId, "conversationId");
            required(upToSeq, "upToSeq");
        }
    }

    /** The user has read the messages up to {@code upToSeq}: moves its read cursor. */
    record Read(String id, String conversationId, Long upToSeq) implements ClientFrame {
        public Read {
            clientId(id, "id");
            required(conversationId, "conversationId");
            required(upToSeq, "upToSeq");
        }
    }

    /** Replaces the text of the message {@code seq} (Parley addition). */
    record Edit(String id, String conversationId, Long seq, String text) implements ClientFrame {
        public Edit {
            clientId(id, "id");
            required(conversationId, "conversationId");
            required(seq, "seq");
            required(text, "text");
        }
    }

    /** Deletes the message {@code seq} (Parley addition). */
    record Delete(String id, String conversationId, Long seq) implements ClientFrame {
        public Delete {
            clientId(id, "id");
            required(conversationId, "conversationId");
            required(seq, "seq");
        }
    }

    /** The user is typing in the conversation; answered only when it fails. */
    record Typing(String id, String conversationId) implements ClientFrame {
        public Typing {
            clientId(id, "id");
            required(conversationId, "conversationId");
        }
    }

    /**
     * Asks for every message after the given positions ({@code since}: conversation id to the last seq seen, each an
     * integer >= 0; optional, a conversation not named: everything unread), then {@code synced}, then live frames.
     */
    record Sync(String id, Map<String, Long> since) implements ClientFrame {
        public Sync {
            clientId(id, "id");
            Map<String, Long> positions = new LinkedHashMap<>();
            if (since != null) {
                since.forEach((conversationId, seq) -> {
                    if (seq == null || seq < 0) {
                        throw new InvalidCommandException("'since." + conversationId
                                + "' must be a seq (integer >= 0)");
                    }
                    positions.put(conversationId, seq);
                });
            }
            since = Collections.unmodifiableMap(positions);
        }
    }

    /** Answered with {@code pong}. */
    record Ping(String id) implements ClientFrame {
        public Ping {
            clientId(id, "id");
        }
    }
}
