package io.parley.eventstore.audit;

import java.util.Set;

/**
 * Metadata keys every command and event carries (set by the edge, copied onto events by Axon's correlation data
 * providers) and the two keys of the hash chain. Never a secret: metadata is stored with the event forever.
 */
public final class AuditMetadata {

    /** The user the command was sent for. */
    public static final String USER_ID = "userId";
    /** The socket session id, or {@code http} for a REST call. */
    public static final String CONNECTION_ID = "connectionId";
    /** The client's address as the edge saw it. */
    public static final String CLIENT_ADDRESS = "clientAddress";
    /** The request that started the chain of messages. */
    public static final String CORRELATION_ID = "correlationId";
    /** The message that directly caused this one. */
    public static final String CAUSATION_ID = "causationId";
    /** SHA-256 (hex) of this event's stored form and {@link #PREV_HASH}. */
    public static final String HASH = "hash";
    /** {@link #HASH} of the previous event of the same aggregate; empty for the first one. */
    public static final String PREV_HASH = "prevHash";

    /** Copied from a command onto the events it causes (correlation and causation come from the origin provider). */
    public static final Set<String> ORIGIN_KEYS = Set.of(USER_ID, CONNECTION_ID, CLIENT_ADDRESS);

    private AuditMetadata() {
    }
}
