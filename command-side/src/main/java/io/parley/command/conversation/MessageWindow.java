package io.parley.command.conversation;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The facts that the edit and delete rules need about a conversation's most recent messages — who sent each one,
 * its id, whether it is deleted — without ever holding a message body.
 * <p>
 * Why bounded: a map of every seq to its sender grows with the conversation, and the aggregate is cached and
 * snapshotted; a group with 100,000 messages would carry 100,000 entries in every snapshot. So edits and deletes
 * are allowed only for the most recent messages ({@link ConversationPolicy#editWindow()}), and this window
 * retains the facts of at most {@value #CAPACITY} messages (the hard ceiling for that policy).
 * <p>
 * Why columnar: the window is a ring indexed by seq, so the seq itself is implicit ({@code slot = (seq - 1) %
 * capacity}); a message id (a UUID) is kept as its 16 bytes; a sender is an index into a small dictionary of
 * sender ids; deletions, which are rare, are a sorted set of seqs. A full window costs about 20 bytes per message
 * in memory (about 200 KB) and about 25 bytes per message in a JSON snapshot (byte arrays become base64),
 * against roughly 100 bytes per message for a list of (seq, senderId, messageId, deleted) objects. The arrays
 * grow with the conversation, so a short conversation stays a few hundred bytes.
 * <p>
 * Message ids must be canonical UUID strings ({@code UUID.randomUUID().toString()}), which is what the aggregate
 * issues. Jackson-friendly: serialised field by field, no-argument constructor.
 */
final class MessageWindow {

    /** Messages whose facts are retained: the largest edit window a policy may configure. */
    static final int CAPACITY = 10_000;

    private static final int UUID_BYTES = 16;
    private static final int FIRST_SLOTS = 64;
    private static final int FIRST_COMPACTION = 64;

    @JsonProperty
    private int capacity = CAPACITY;
    /** Seq of the newest message recorded; 0 while there is none. */
    @JsonProperty
    private long lastSeq;
    /** Per slot, the 16 bytes of the message id. */
    @JsonProperty
    private byte[] messageIds = new byte[0];
    /** Per slot, the index of the sender in {@link #senderIds}. */
    @JsonProperty
    private int[] senders = new int[0];
    @JsonProperty
    private List<String> senderIds = new ArrayList<>();
    /** Seqs within the window that were deleted. */
    @JsonProperty
    private TreeSet<Long> deleted = new TreeSet<>();
    /** The dictionary is rebuilt from the senders still in the window once it has this many entries. */
    @JsonProperty
    private int compactSendersAt = FIRST_COMPACTION;

    private transient Map<String, Integer> senderIndex;

    MessageWindow() {
    }

    /** Records the next message; messages arrive in seq order, as their events do. */
    void record(long seq, String messageId, String senderId) {
        if (seq != lastSeq + 1) {
            throw new IllegalStateException("message " + seq + " recorded after message " + lastSeq);
        }
        int slot = slotOf(seq);
        makeRoomFor(slot);
        UUID id = UUID.fromString(messageId);
        ByteBuffer.wrap(messageIds, slot * UUID_BYTES, UUID_BYTES)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits());
        senders[slot] = indexOfSender(senderId);
        lastSeq = seq;
        deleted.headSet(firstSeq()).clear();
        if (senderIds.size() >= compactSendersAt) {
            compactSenders();
        }
    }

    /** Whether the facts of message {@code seq} are still here. */
    boolean holds(long seq) {
        return lastSeq > 0 && seq >= firstSeq() && seq <= lastSeq;
    }

    String messageIdOf(long seq) {
        ByteBuffer id = ByteBuffer.wrap(messageIds, slotOf(requireHeld(seq)) * UUID_BYTES, UUID_BYTES);
        return new UUID(id.getLong(), id.getLong()).toString();
    }

    String senderOf(long seq) {
        return senderIds.get(senders[slotOf(requireHeld(seq))]);
    }

    boolean isDeleted(long seq) {
        return deleted.contains(requireHeld(seq));
    }

    void markDeleted(long seq) {
        if (holds(seq)) {
            deleted.add(seq);
        }
    }

    private long firstSeq() {
        return Math.max(1, lastSeq - capacity + 1);
    }

    private int slotOf(long seq) {
        return (int) ((seq - 1) % capacity);
    }

    private long requireHeld(long seq) {
        if (!holds(seq)) {
            throw new IllegalStateException("message " + seq + " is outside the window");
        }
        return seq;
    }

    private void makeRoomFor(int slot) {
        if (slot < senders.length) {
            return;
        }
        int slots = Math.min(capacity, Math.max(slot + 1, Math.max(FIRST_SLOTS, senders.length * 2)));
        senders = Arrays.copyOf(senders, slots);
        messageIds = Arrays.copyOf(messageIds, slots * UUID_BYTES);
    }

    private int indexOfSender(String senderId) {
        Integer index = senderIndex().get(senderId);
        if (index != null) {
            return index;
        }
        senderIds.add(senderId);
        senderIndex.put(senderId, senderIds.size() - 1);
        return senderIds.size() - 1;
    }

    private Map<String, Integer> senderIndex() {
        if (senderIndex == null) {
            senderIndex = new HashMap<>();
            for (int i = 0; i < senderIds.size(); i++) {
                senderIndex.put(senderIds.get(i), i);
            }
        }
        return senderIndex;
    }

    /** Drops the senders none of whose messages are in the window any more (people who left long ago). */
    private void compactSenders() {
        BitSet live = new BitSet(senderIds.size());
        for (long seq = firstSeq(); seq <= lastSeq; seq++) {
            live.set(senders[slotOf(seq)]);
        }
        int[] renumbered = new int[senderIds.size()];
        List<String> kept = new ArrayList<>(live.cardinality());
        for (int old = live.nextSetBit(0); old >= 0; old = live.nextSetBit(old + 1)) {
            renumbered[old] = kept.size();
            kept.add(senderIds.get(old));
        }
        for (long seq = firstSeq(); seq <= lastSeq; seq++) {
            int slot = slotOf(seq);
            senders[slot] = renumbered[senders[slot]];
        }
        senderIds = kept;
        senderIndex = null;
        // Doubling keeps the cost of compaction constant per recorded message.
        compactSendersAt = Math.max(FIRST_COMPACTION, kept.size() * 2);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MessageWindow that
                && capacity == that.capacity
                && lastSeq == that.lastSeq
                && Arrays.equals(messageIds, that.messageIds)
                && Arrays.equals(senders, that.senders)
                && senderIds.equals(that.senderIds)
                && deleted.equals(that.deleted)
                && compactSendersAt == that.compactSendersAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(capacity, lastSeq, Arrays.hashCode(messageIds), Arrays.hashCode(senders), senderIds,
                deleted);
    }
}
