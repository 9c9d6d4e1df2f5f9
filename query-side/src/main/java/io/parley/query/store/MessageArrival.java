package io.parley.query.store;

import java.time.Instant;

/**
 * One message as the inbox counts it ({@link InboxStore#messagesArrived}).
 *
 * @param seq      the message's sequence number in its conversation
 * @param senderId who sent it
 * @param at       when it was sent
 */
public record MessageArrival(long seq, String senderId, Instant at) {
}
