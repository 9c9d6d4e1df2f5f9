package io.parley.query.store;

import java.time.Instant;

/** One member's view of one conversation: cursors, unread count, and when it last saw activity. */
public record InboxEntry(String userId, String conversationId, long lastSeq, long deliveredSeq, long readSeq,
                         long unread, Instant updatedAt) {
}
