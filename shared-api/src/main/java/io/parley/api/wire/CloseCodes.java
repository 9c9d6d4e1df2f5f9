package io.parley.api.wire;

/** WebSocket close codes Parley uses beyond the standard ones (RFC 6455 reserves 4000-4999 for applications). */
public final class CloseCodes {

    private CloseCodes() {
    }

    /** The client did not read fast enough and its outbound buffer filled up; reconnect and {@code sync}. */
    public static final int SLOW_CONSUMER = 4008;

    /** No frame and no pong from the client for the idle timeout: the connection is presumed dead. */
    public static final int IDLE_TIMEOUT = 4001;

    /**
     * The session the socket was opened with has ended: its user logged out, changed the password or was erased.
     * Do not reconnect with the same token; log in again.
     */
    public static final int SESSION_ENDED = 4003;

    /** The server is shutting down; reconnect (to another node) and {@code sync}. */
    public static final int GOING_AWAY = 1001;

    /**
     * The node is restarting (a rolling restart, an upgrade): every frame the client sent before has been answered
     * (its {@code ack} or {@code error} came first). Reconnect after a short random delay, most likely to another
     * node, and {@code sync}; resend what was not acknowledged, with the same ids. RFC 6455 registry: "Service
     * Restart".
     */
    public static final int SERVICE_RESTART = 1012;
}
