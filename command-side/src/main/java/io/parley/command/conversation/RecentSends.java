package io.parley.command.conversation;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The idempotency window of a conversation: the most recent sends, keyed by (sender, clientMsgId), so that a
 * retried {@code SendMessage} is answered with its original result instead of a second message.
 * <p>
 * Size: {@value #CAPACITY} sends, oldest evicted first. Clients retry unacknowledged sends from their outbox
 * after a reconnect, typically seconds and at worst minutes after the first attempt; a retry is recognised as
 * long as fewer than {@value #CAPACITY} other messages were sent in the same conversation in between — in a
 * group that sends ten messages a second that is still well over a minute and a half of traffic. The window is
 * part of every cached and snapshotted {@link Conversation}; a larger window would make every snapshot of a busy
 * group heavier for retries that no longer happen.
 * <p>
 * Keying by sender as well keeps two senders whose clients happen to pick the same clientMsgId apart.
 * <p>
 * Serialised by Jackson in columns, oldest first ({@link Columns}): senders as indexes into a dictionary, message
 * ids as their 16 bytes (base64 in JSON), about 60 bytes per send with its clientMsgId. Issue 17: the list of one
 * object per send written before took about 140 bytes each, and a busy conversation's snapshot (taken every 250
 * events, and deleted by the next) was 187 KB instead of 108 KB; the server wrote 6-9% fewer bytes per message with
 * the columns (docs/benchmark.md, seventh round). That list form is still read, so snapshots taken before stay
 * usable.
 */
@JsonDeserialize(using = RecentSends.Reader.class)
final class RecentSends {

    static final int CAPACITY = 1_024;

    /** One remembered send: everything needed to answer a retry with the original result. */
    record RecentSend(String senderId, String clientMsgId, String messageId, long seq, Instant sentAt) {
    }

    private record Key(String senderId, String clientMsgId) {
    }

    // Insertion order is send order, which makes eviction first-in-first-out.
    private final LinkedHashMap<Key, RecentSend> sends = new LinkedHashMap<>();

    RecentSends() {
    }

    RecentSends(List<RecentSend> oldestFirst) {
        oldestFirst.forEach(this::remember);
    }

    List<RecentSend> oldestFirst() {
        return new ArrayList<>(sends.values());
    }

    Optional<RecentSend> find(String senderId, String clientMsgId) {
        return Optional.ofNullable(sends.get(new Key(senderId, clientMsgId)));
    }

    void remember(RecentSend send) {
        Key key = new Key(send.senderId(), send.clientMsgId());
        sends.remove(key); // a key sent again after eviction of its first use starts at the young end
        sends.put(key, send);
        Iterator<Map.Entry<Key, RecentSend>> oldest = sends.entrySet().iterator();
        while (sends.size() > CAPACITY) {
            oldest.next();
            oldest.remove();
        }
    }

    /**
     * The snapshot form: one array per field, index i of each is the i-th oldest send. {@code senders} index
     * {@code senderIds}; {@code messageIds} holds 16 bytes per send; {@code sentAt} holds null where the event had
     * no time.
     */
    record Columns(List<String> senderIds, int[] senders, List<String> clientMsgIds, byte[] messageIds, long[] seqs,
                   List<Instant> sentAt) {

        static Columns of(List<RecentSend> oldestFirst) {
            int n = oldestFirst.size();
            List<String> senderIds = new ArrayList<>();
            Map<String, Integer> senderIndex = new HashMap<>();
            int[] senders = new int[n];
            List<String> clientMsgIds = new ArrayList<>(n);
            ByteBuffer messageIds = ByteBuffer.allocate(n * 16);
            long[] seqs = new long[n];
            List<Instant> sentAt = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                RecentSend send = oldestFirst.get(i);
                senders[i] = senderIndex.computeIfAbsent(send.senderId(), id -> {
                    senderIds.add(id);
                    return senderIds.size() - 1;
                });
                clientMsgIds.add(send.clientMsgId());
                UUID id = UUID.fromString(send.messageId());
                messageIds.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
                seqs[i] = send.seq();
                sentAt.add(send.sentAt());
            }
            return new Columns(senderIds, senders, clientMsgIds, messageIds.array(), seqs, sentAt);
        }

        List<RecentSend> oldestFirst() {
            ByteBuffer ids = ByteBuffer.wrap(messageIds);
            List<RecentSend> sends = new ArrayList<>(seqs.length);
            for (int i = 0; i < seqs.length; i++) {
                String messageId = new UUID(ids.getLong(), ids.getLong()).toString();
                sends.add(new RecentSend(senderIds.get(senders[i]), clientMsgIds.get(i), messageId, seqs[i],
                        sentAt.get(i)));
            }
            return sends;
        }
    }

    @JsonValue
    Columns columns() {
        return Columns.of(oldestFirst());
    }

    /** Reads the columns, or the list of one object per send that snapshots taken before issue 17 hold. */
    static final class Reader extends StdDeserializer<RecentSends> {

        Reader() {
            super(RecentSends.class);
        }

        @Override
        public RecentSends deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() == JsonToken.START_ARRAY) {
                return new RecentSends(context.readValue(parser, context.getTypeFactory()
                        .constructCollectionType(List.class, RecentSend.class)));
            }
            return new RecentSends(context.readValue(parser, Columns.class).oldestFirst());
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecentSends that && sends.equals(that.sends);
    }

    @Override
    public int hashCode() {
        return sends.hashCode();
    }
}
