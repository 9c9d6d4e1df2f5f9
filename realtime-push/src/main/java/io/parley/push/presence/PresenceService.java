package io.parley.push.presence;

/**
 * Ephemeral state of users: online while at least one socket is open, and who is typing where. Never written to the
 * event store. This node reports its own sockets here; an implementation decides how far the news travels (in
 * memory for one node; Redis across nodes).
 */
public interface PresenceService {

    /** The user's first socket on this node opened. */
    void connected(String userId);

    /** The user's last socket on this node closed. */
    void disconnected(String userId);

    /** The user is typing in a conversation (throttled by the implementation). */
    void typing(String userId, String conversationId);
}
