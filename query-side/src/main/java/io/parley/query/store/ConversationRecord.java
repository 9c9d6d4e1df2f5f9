package io.parley.query.store;

import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationType;

import java.time.Instant;
import java.util.List;

/**
 * A conversation as stored.
 *
 * @param name           null for direct conversations
 * @param members        in the order they joined
 * @param membersVersion aggregate sequence number of the last membership event applied (creation included)
 * @param lastSeq        seq of the newest message, 0 when there is none
 * @param updatedAt      time of the last activity (creation, membership change or message)
 */
public record ConversationRecord(String conversationId, ConversationType type, String name, List<Member> members,
                                 long membersVersion, long lastSeq, Instant updatedAt) {

    public ConversationRecord {
        members = List.copyOf(members);
    }
}
