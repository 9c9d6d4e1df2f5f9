package io.parley.api.conversation;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Identifiers of conversations. */
public final class ConversationIds {

    private ConversationIds() {
    }

    /**
     * The id of the direct conversation between two users: the same for either order of the pair,
     * so opening it twice, from either side, lands on the same aggregate.
     */
    public static String direct(String userA, String userB) {
        if (userA.equals(userB)) {
            throw new IllegalArgumentException("a direct conversation needs two different users");
        }
        String first = userA.compareTo(userB) < 0 ? userA : userB;
        String second = first.equals(userA) ? userB : userA;
        String name = "direct\u0000" + first + "\u0000" + second;
        return "d-" + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh id for a new group. */
    public static String newGroup() {
        return "g-" + UUID.randomUUID();
    }
}
