package io.parley.push.audit;

import io.parley.eventstore.audit.AuditMetadata;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Where a command comes from, carried in the Reactor context of the request or socket frame that sends it and put
 * into the command's metadata by {@code Backend.send}; Axon's correlation data providers copy it onto the events.
 * No tokens or other secrets: metadata is stored with the events forever.
 *
 * @param userId        the authenticated user, or null before authentication
 * @param connectionId  the socket session id, or {@code http}
 * @param clientAddress the client's address as the edge saw it (no port)
 * @param correlationId one per request or frame
 * @param traceparent   the W3C trace context the client sent with the request or frame (null: none); the command
 *                      continues that trace where tracing is on (docs/decisions.md, "Tracing and structured logs")
 */
public record Origin(String userId, String connectionId, String clientAddress, String correlationId,
                     String traceparent) {

    /** The metadata key of the trace context: W3C's header name. */
    public static final String TRACEPARENT = "traceparent";

    public static Origin http(String userId, InetSocketAddress remote, String traceparent) {
        return new Origin(userId, "http", address(remote), UUID.randomUUID().toString(), traceparent);
    }

    public static Origin socket(String userId, String sessionId, InetSocketAddress remote) {
        return new Origin(userId, sessionId, address(remote), UUID.randomUUID().toString(), null);
    }

    /** This origin for a frame that carried a trace context. */
    public Origin traced(String traceparent) {
        return new Origin(userId, connectionId, clientAddress, correlationId, traceparent);
    }

    /** A context with this origin, for {@code contextWrite}. */
    public Context into(Context context) {
        return context.put(Origin.class, this);
    }

    public static Map<String, Object> metadataOf(ContextView context) {
        return context.<Origin>getOrEmpty(Origin.class).map(Origin::metadata).orElse(Map.of());
    }

    public Map<String, Object> metadata() {
        Map<String, Object> metadata = new HashMap<>();
        putIfPresent(metadata, AuditMetadata.USER_ID, userId);
        putIfPresent(metadata, AuditMetadata.CONNECTION_ID, connectionId);
        putIfPresent(metadata, AuditMetadata.CLIENT_ADDRESS, clientAddress);
        putIfPresent(metadata, AuditMetadata.CORRELATION_ID, correlationId);
        putIfPresent(metadata, TRACEPARENT, traceparent);
        return metadata;
    }

    private static void putIfPresent(Map<String, Object> metadata, String key, String value) {
        if (value != null) {
            metadata.put(key, value);
        }
    }

    private static String address(InetSocketAddress remote) {
        if (remote == null) {
            return null;
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
