package io.parley.bench.bound;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.eventstore.audit.HashChain;
import io.parley.eventstore.erasure.TextCipher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What {@link PipelineBound} keeps and does: accounts, tokens, direct conversations, open sockets, and a
 * {@code send} frame's way to its {@code ack} and {@code message} frames at each {@link PipelineBound.Stage}.
 */
final class Chat {

    record Session(String userId, String token) {
    }

    private record Account(String userId, String password) {
    }

    /** A socket's frames out, in the order they were emitted from any thread. */
    static final class Outbound {

        private final Sinks.Many<String> sink = Sinks.many().unicast()
                .onBackpressureBuffer(Queues.<String>unbounded(16).get());

        synchronized void emit(String frame) {
            sink.tryEmitNext(frame);
        }

        Flux<String> frames() {
            return sink.asFlux();
        }
    }

    private static final class Conversation {
        final String id;
        final List<String> members;
        // guarded by this
        long seq;
        String lastHash = "";
        // the read model of stage full, guarded by this
        final List<byte[]> timeline = new ArrayList<>();
        final Map<String, long[]> unread = new HashMap<>();

        Conversation(String id, List<String> members) {
            this.id = id;
            this.members = members;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final PipelineBound.Stage stage;
    private final Committer log;
    private final H2Tables tables;
    private final Committer projector;
    private final TextCipher cipher;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, String> usernames = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, Conversation> conversations = new ConcurrentHashMap<>();
    private final Map<String, String> directs = new ConcurrentHashMap<>();
    private final Map<String, List<Outbound>> sockets = new ConcurrentHashMap<>();

    /**
     * @param log       the group commit of every stage but relay (null: the relay keeps nothing)
     * @param tables    the read model of stages sql and log-sql, else null
     * @param projector stage log-sql: writes the read model behind the log, else null
     * @param cipher    Parley's own, encrypting each text under its sender's key past stage log, else null
     */
    Chat(PipelineBound.Stage stage, Committer log, H2Tables tables, Committer projector, TextCipher cipher) {
        this.stage = stage;
        this.log = log;
        this.tables = tables;
        this.projector = projector;
        this.cipher = cipher;
    }

    /** The new user's id, or null when the name is taken or missing. */
    String register(String username, String password) {
        if (username == null || password == null) {
            return null;
        }
        String userId = UUID.randomUUID().toString();
        if (usernames.putIfAbsent(username, userId) != null) {
            return null;
        }
        accounts.put(userId, new Account(userId, password));
        if (cipher != null) {
            cipher.encrypt(userId, "bound:register", "-"); // the user's key made now, not at the first send
        }
        return userId;
    }

    /** A session for the right password, else null. */
    Session login(String username, String password) {
        String userId = username == null ? null : usernames.get(username);
        if (userId == null || !accounts.get(userId).password().equals(password)) {
            return null;
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.put(token, userId);
        return new Session(userId, token);
    }

    /** The user an {@code Authorization: Bearer} header names, or null. */
    String userOf(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        return tokens.get(authorization.substring("Bearer ".length()));
    }

    /** The direct conversation of the two (opened on the first call), or null when the other is unknown. */
    String openDirect(String me, String other) {
        if (other == null || !accounts.containsKey(other) || other.equals(me)) {
            return null;
        }
        String key = me.compareTo(other) < 0 ? me + "/" + other : other + "/" + me;
        return directs.computeIfAbsent(key, k -> {
            String id = UUID.randomUUID().toString();
            conversations.put(id, new Conversation(id, List.of(me, other)));
            return id;
        });
    }

    Outbound connect(String userId) {
        Outbound out = new Outbound();
        sockets.computeIfAbsent(userId, u -> new CopyOnWriteArrayList<>()).add(out);
        return out;
    }

    void disconnect(String userId, Outbound out) {
        List<Outbound> list = sockets.get(userId);
        if (list != null) {
            list.remove(out);
        }
    }

    /** The read model's unread count of the member (stages full, sql and log-sql), -1 when it keeps none. */
    long unread(String conversationId, String userId) throws java.sql.SQLException {
        if (tables != null) {
            return tables.unread(conversationId, userId);
        }
        Conversation conversation = conversations.get(conversationId);
        if (conversation == null || stage != PipelineBound.Stage.FULL) {
            return -1;
        }
        synchronized (conversation) {
            long[] count = conversation.unread.get(userId);
            return count == null ? 0 : count[0];
        }
    }

    /** One frame from a socket of {@code userId}. */
    void onFrame(String userId, Outbound out, String text) {
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            out.emit(error(null, "BAD_FRAME", "not JSON"));
            return;
        }
        String id = frame.path("id").asText(null);
        if (!"send".equals(frame.path("type").asText())) {
            out.emit(error(id, "BAD_FRAME", "only send frames are answered here"));
            return;
        }
        String messageText = frame.path("text").asText(null);
        Conversation conversation = conversations.get(frame.path("conversationId").asText(""));
        if (conversation == null || !conversation.members.contains(userId)) {
            out.emit(error(id, "FORBIDDEN", "not a member"));
            return;
        }
        if (messageText == null || messageText.isEmpty()) {
            out.emit(error(id, "BAD_FRAME", "text is required"));
            return;
        }
        String messageId = UUID.randomUUID().toString();
        long sentAt = System.currentTimeMillis();
        synchronized (conversation) { // the seq and the log's order agree
            long seq = ++conversation.seq;
            String ack = write(object().put("type", "ack").put("id", id).put("conversationId", conversation.id)
                    .put("messageId", messageId).put("seq", seq)
                    .put("sentAt", Instant.ofEpochMilli(sentAt).toString()));
            String message = write(object().put("type", "message").put("conversationId", conversation.id)
                    .put("messageId", messageId).put("senderId", userId).put("seq", seq).put("text", messageText)
                    .put("sentAt", Instant.ofEpochMilli(sentAt).toString()));
            if (log == null) {
                deliver(conversation, out, ack, message);
                return;
            }
            String stored = stage == PipelineBound.Stage.LOG ? messageText
                    : cipher.encrypt(userId, "msg:" + conversation.id + "/" + messageId, messageText);
            byte[] event = event(conversation, userId, messageId, seq, sentAt, stored);
            GroupStore.Appended appended = new GroupStore.Appended(conversation.id, conversation.members, userId,
                    messageId, seq, sentAt, stored, event);
            log.append(appended, failure -> {
                if (failure != null) {
                    out.emit(error(id, "INTERNAL", "not written: " + failure.getMessage()));
                    return;
                }
                if (stage == PipelineBound.Stage.FULL) {
                    project(conversation, userId, seq, event);
                } else if (projector != null) {
                    projector.append(appended, projectionFailure -> {
                        if (projectionFailure != null) {
                            System.err.println("read model not written: " + projectionFailure + " ("
                                    + projectionFailure.getCause() + ")");
                        }
                    });
                }
                deliver(conversation, out, ack, message);
            });
        }
    }

    /**
     * The stored event, its text as stored (encrypted past stage log); past stage log with its hash chained to its
     * conversation's last, as Parley stores a MessageSent.
     */
    private byte[] event(Conversation conversation, String senderId, String messageId, long seq, long sentAt,
                         String storedText) {
        ObjectNode payload = object().put("conversationId", conversation.id).put("messageId", messageId)
                .put("senderId", senderId).put("seq", seq).put("sentAt", Instant.ofEpochMilli(sentAt).toString())
                .put("text", storedText);
        if (stage == PipelineBound.Stage.LOG) {
            return bytes(payload);
        }
        byte[] bytes = bytes(payload);
        String hash = HashChain.hash(conversation.lastHash, conversation.id, seq, "MessageSent", null, sentAt, bytes,
                object());
        conversation.lastHash = hash;
        return bytes(object().put("aggregateId", conversation.id).put("seq", seq).put("hash", hash)
                .set("payload", payload));
    }

    private static void project(Conversation conversation, String senderId, long seq, byte[] event) {
        synchronized (conversation) {
            conversation.timeline.add(event);
            for (String member : conversation.members) {
                long[] state = conversation.unread.computeIfAbsent(member, m -> new long[2]);
                if (!member.equals(senderId)) {
                    state[0]++;
                }
                state[1] = seq;
            }
        }
    }

    private void deliver(Conversation conversation, Outbound sender, String ack, String message) {
        sender.emit(ack);
        for (String member : conversation.members) {
            List<Outbound> open = sockets.get(member);
            if (open != null) {
                for (Outbound socket : open) {
                    socket.emit(message);
                }
            }
        }
    }

    private static String error(String id, String code, String message) {
        return write(object().put("type", "error").put("id", id).put("code", code).put("message", message));
    }

    private static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private static String write(JsonNode node) {
        return new String(bytes(node), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
