package io.parley.query.store;

import io.parley.api.conversation.ConversationEvents.Member;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Conversations with their members. */
public interface ConversationStore {

    /** Stores the conversation unless one with its id exists. */
    void create(ConversationRecord conversation);

    Optional<ConversationRecord> find(String conversationId);

    /** The conversations with these ids that exist, in no particular order. */
    List<ConversationRecord> findAll(Collection<String> conversationIds);

    /**
     * Sets the member list, only when {@code version} is above the stored membersVersion (then it becomes the new
     * membersVersion and updatedAt moves forward to {@code at}).
     *
     * @return whether the change was applied
     */
    boolean replaceMembers(String conversationId, List<Member> members, long version, Instant at);

    /** lastSeq and updatedAt move forward to {@code seq} and {@code at} (never back). */
    void messageAdded(String conversationId, long seq, Instant at);

    void clear();
}
