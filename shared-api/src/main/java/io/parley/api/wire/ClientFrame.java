package io.parley.api.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
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
        @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping"),
        @JsonSubTypes.Type(value = ClientFrame.React.class, name = "react")})
@JsonIgnoreProperties(ignoreUnknown = true)
public sealed interface ClientFrame {

    /** The client's id for this frame, echoed by the answer; null when it sent none. */
    String id();

    /**
     * Sends {@code text} to the conversation; {@code id} is required: it is the idempotency key (clientMsgId).
     * {@code attachments} are media ids of finished uploads ({@code /api/media}); with some, {@code text} may be left
     * out (a caption is optional).
     * Optional (Parley additions): {@code mentions}, the user ids the message mentions (explicit, as Matrix's
     * {@code m.mentions}; the server keeps the members among them, at most {@value #MAX_MENTIONS}), and
     * {@code replyTo}, the seq of the message it answers.
     */
    record Send(String id, String conversationId, String text, List<String> attachments, List<String> mentions,
                Long replyTo) implements ClientFrame {
        @JsonCreator
        public Send {
            clientId(required(id, "id"), "id");
            required(conversationId, "conversationId");
            attachments = ClientInput.attachments(attachments);
            if (attachments.isEmpty()) {
                required(text, "text");
            }
            mentions = ClientFrame.validMentions(mentions);
            if (replyTo != null && replyTo < 1) {
                throw new InvalidCommandException("'replyTo' must be a seq (integer >= 1)");
            }
        }

        public Send(String id, String conversationId, String text) {
            this(id, conversationId, text, List.of(), null, null);
        }
    }

    /** The most user ids one message may mention. */
    int MAX_MENTIONS = 50;

    /** A mention list as sent: null is none; each entry a non-blank user id; at most {@link #MAX_MENTIONS}. */
    static List<String> validMentions(List<String> mentions) {
        if (mentions == null) {
            return List.of();
        }
        if (mentions.size() > MAX_MENTIONS) {
            throw new InvalidCommandException("a message may mention at most " + MAX_MENTIONS + " users");
        }
        for (String userId : mentions) {
            if (userId == null || userId.isBlank() || userId.length() > 255) {
                throw new InvalidCommandException("'mentions' must hold user ids");
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(mentions));
    }

    /**
     * Adds (or with {@code remove: true} takes back) the user's {@code emoji} reaction to message {@code seq}
     * (Parley addition); confirmed with {@code ok} when it carried an id. {@code emoji} is one emoji
     * ({@link io.parley.api.conversation.Emoji}).
     */
    record React(String id, String conversationId, Long seq, String emoji, Boolean remove) implements ClientFrame {
        public React {
            clientId(id, "id");
            required(conversationId, "conversationId");
            required(seq, "seq");
            required(emoji, "emoji");
            // whether it is one emoji is the conversation's rule: a non-member is told FORBIDDEN whatever it sent
            remove = Boolean.TRUE.equals(remove);
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
     * Optional (Parley addition) {@code reactionsSince}: conversation id to the last {@code reactionVersion} seen;
     * for each conversation named, the messages whose reactions changed since come as {@code reaction} frames with
     * their current reactions, before {@code synced}.
     */
    record Sync(String id, Map<String, Long> since, Map<String, Long> reactionsSince) implements ClientFrame {

        public Sync(String id, Map<String, Long> since) {
            this(id, since, null);
        }

        @JsonCreator
        public Sync {
            reactionsSince = positions(reactionsSince, "reactionsSince");
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

        private static Map<String, Long> positions(Map<String, Long> given, String field) {
            Map<String, Long> positions = new LinkedHashMap<>();
            if (given != null) {
                given.forEach((conversationId, version) -> {
                    if (version == null || version < 0) {
                        throw new InvalidCommandException("'" + field + "." + conversationId
                                + "' must be an integer >= 0");
                    }
                    positions.put(conversationId, version);
                });
            }
            return Collections.unmodifiableMap(positions);
        }
    }

    /** Answered with {@code pong}. */
    record Ping(String id) implements ClientFrame {
        public Ping {
            clientId(id, "id");
        }
    }
}
