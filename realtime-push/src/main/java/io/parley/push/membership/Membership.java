package io.parley.push.membership;

import io.parley.api.conversation.ConversationType;
import io.parley.api.conversation.MemberRole;

import java.util.Map;

/**
 * Who belongs to a conversation, as this node knows it. {@code version} is the aggregate sequence number of the
 * last membership event reflected, so the read model's answer and the live stream can be merged in order.
 */
public record Membership(String conversationId, ConversationType type, Map<String, MemberRole> roles, long version) {

    public boolean isMember(String userId) {
        return roles.containsKey(userId);
    }

    public MemberRole roleOf(String userId) {
        return roles.get(userId);
    }
}
