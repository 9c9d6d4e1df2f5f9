package io.parley.command.conversation;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * Who reacted with what to the messages still in the {@link MessageWindow}: what the "one reaction per emoji per
 * user" rule needs, nothing more. A reaction is kept as {@code userId + U+0000 + emoji} under its message's seq;
 * messages that leave the window, or are deleted, take their reactions with them (they cannot be reacted to any
 * more, so no rule needs them). Jackson-friendly for snapshots.
 */
final class Reactions {

    /** How many different emoji one user may put on one message. */
    static final int MAX_PER_USER_AND_MESSAGE = 20;

    @JsonProperty
    private TreeMap<Long, Set<String>> bySeq = new TreeMap<>();
    /** The conversation's reaction changes so far; the next change is this + 1. */
    @JsonProperty
    private long version;

    Reactions() {
    }

    boolean has(long seq, String userId, String emoji) {
        Set<String> reactions = bySeq.get(seq);
        return reactions != null && reactions.contains(key(userId, emoji));
    }

    int countOf(long seq, String userId) {
        Set<String> reactions = bySeq.get(seq);
        if (reactions == null) {
            return 0;
        }
        String prefix = userId + '\u0000';
        return (int) reactions.stream().filter(r -> r.startsWith(prefix)).count();
    }

    long nextVersion() {
        return version + 1;
    }

    void added(long seq, String userId, String emoji, long changeVersion) {
        bySeq.computeIfAbsent(seq, s -> new LinkedHashSet<>()).add(key(userId, emoji));
        version = Math.max(version, changeVersion);
    }

    void removed(long seq, String userId, String emoji, long changeVersion) {
        Set<String> reactions = bySeq.get(seq);
        if (reactions != null) {
            reactions.remove(key(userId, emoji));
            if (reactions.isEmpty()) {
                bySeq.remove(seq);
            }
        }
        version = Math.max(version, changeVersion);
    }

    void forget(long seq) {
        bySeq.remove(seq);
    }

    /** Drops the reactions of messages the window no longer holds (the oldest first). */
    void keepOnly(LongPredicate held) {
        while (!bySeq.isEmpty() && !held.test(bySeq.firstKey())) {
            bySeq.pollFirstEntry();
        }
    }

    private static String key(String userId, String emoji) {
        return userId + '\u0000' + emoji;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Reactions that && version == that.version && bySeq.equals(that.bySeq);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bySeq, version);
    }
}
