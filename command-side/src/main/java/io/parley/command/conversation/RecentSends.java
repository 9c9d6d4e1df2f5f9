package io.parley.command.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The idempotency window of a conversation: the most recent sends, keyed by (sender, clientMsgId), so that a
 * retried {@code SendMessage} is answered with its original result instead of a second message.
 * <p>
 * Size: {@value #CAPACITY} sends, oldest evicted first. Clients retry unacknowledged sends from their outbox
 * after a reconnect, typically seconds and at worst minutes after the first attempt; a retry is recognised as
 * long as fewer than {@value #CAPACITY} other messages were sent in the same conversation in between — in a
 * group that sends ten messages a second that is still well over a minute and a half of traffic. The window is
 * part of every cached and snapshotted {@link Conversation}, and an entry costs roughly 200 bytes of JSON, so a
 * full window adds about 200 KB to a snapshot; a larger window would make every snapshot of a busy group
 * heavier for retries that no longer happen.
 * <p>
 * Keying by sender as well keeps two senders whose clients happen to pick the same clientMsgId apart.
 * Serialised by Jackson as the ordered list of its entries (oldest first).
 */
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

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    RecentSends(List<RecentSend> oldestFirst) {
        oldestFirst.forEach(this::remember);
    }

    @JsonValue
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

    @Override
    public boolean equals(Object other) {
        return other instanceof RecentSends that && sends.equals(that.sends);
    }

    @Override
    public int hashCode() {
        return sends.hashCode();
    }
}
