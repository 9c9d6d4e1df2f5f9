package io.parley.notify;

/**
 * Who is connected right now, as the notification processor needs to know: a connected user sees the message live
 * and gets no notification. The edge's presence directory implements it where it runs in the same process (local in
 * standalone, Redis across push nodes); without one, nobody counts as connected.
 */
@FunctionalInterface
public interface PresencePort {

    /** Whether the user has at least one open socket anywhere. Must answer quickly; called from a worker thread. */
    boolean isConnected(String userId);
}
