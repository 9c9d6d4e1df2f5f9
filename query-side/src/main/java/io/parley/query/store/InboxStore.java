package io.parley.query.store;

import java.time.Instant;
import java.util.List;

/** One row per (userId, conversationId) while the user is a member. */
public interface InboxStore {

    /**
     * Creates the member's row unless it exists: lastSeq, readSeq and deliveredSeq at {@code lastSeq} (what was said
     * before joining is not unread), unread 0, updatedAt {@code at}.
     */
    void join(String userId, String conversationId, long lastSeq, Instant at);

    /** Removes the member's row. */
    void leave(String userId, String conversationId);

    /**
     * A message arrived: for every row of the conversation whose lastSeq is below {@code seq}, lastSeq becomes
     * {@code seq} and updatedAt moves forward to {@code at}. The sender has read up to its own message (readSeq and
     * deliveredSeq move forward to {@code seq}, unread 0); for every other member unread grows by one when
     * {@code seq} is above its readSeq. Rows already at or past {@code seq} are left alone, so a redelivered message is
     * not counted twice.
     */
    void messageArrived(String conversationId, long seq, String senderId, Instant at);

    /**
     * Messages of one conversation arrived, in the order given: each row's lastSeq, cursors and unread count end as
     * {@link #messageArrived} for each in turn would leave them, and its updatedAt moves forward to the latest time of
     * the messages (or of each run of consecutive seqs among them) it took. The conversation projection hands over the
     * messages of a processor batch at once, so that a store can write them together (issue 17); this default writes
     * them one by one.
     */
    default void messagesArrived(String conversationId, List<MessageArrival> arrivals) {
        for (MessageArrival arrival : arrivals) {
            messageArrived(conversationId, arrival.seq(), arrival.senderId(), arrival.at());
        }
    }

    /** deliveredSeq moves forward to {@code upToSeq} (never back). */
    void delivered(String userId, String conversationId, long upToSeq);

    /**
     * Only when {@code upToSeq} is above the row's readSeq: readSeq becomes {@code upToSeq}, deliveredSeq moves forward
     * to it, and unread becomes {@code unreadAfter}.
     */
    void read(String userId, String conversationId, long upToSeq, long unreadAfter);

    /** unread becomes {@code unread}, if the row's readSeq is still {@code readSeq} (the cursor it was counted for). */
    void recount(String userId, String conversationId, long readSeq, long unread);

    /** The user's rows, most recently active first. */
    List<InboxEntry> ofUser(String userId);

    /** The rows of every member of a conversation, by user id (receipts: who has read up to where). */
    List<InboxEntry> ofConversation(String conversationId);

    void clear();
}
