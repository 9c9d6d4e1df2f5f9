package io.parley.query.store;

import io.parley.eventstore.erasure.TextSeal;

import java.util.Objects;

/** The whole read-model port, as one bean: the projections and query handlers take what they need from it. */
public record ReadStores(TimelineStore timeline, ConversationStore conversations, InboxStore inbox, UserStore users,
                         PositionStore positions, ReplyStore replies, MentionStore mentions, ReactionStore reactions,
                         BlockStore blocks) {

    public ReadStores {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(conversations, "conversations");
        Objects.requireNonNull(inbox, "inbox");
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(positions, "positions");
        Objects.requireNonNull(replies, "replies");
        Objects.requireNonNull(mentions, "mentions");
        Objects.requireNonNull(reactions, "reactions");
        Objects.requireNonNull(blocks, "blocks");
    }

    /**
     * These stores with message text sealed under its sender's erasure key (see {@link SealedTimelineStore}); as they
     * are when erasure is off ({@code seal} null).
     */
    public ReadStores sealedWith(TextSeal seal) {
        if (seal == null || timeline instanceof SealedTimelineStore) {
            return this;
        }
        return new ReadStores(new SealedTimelineStore(timeline, seal), conversations, inbox, users, positions, replies,
                mentions, reactions, blocks);
    }
}
