package io.parley.push.socket;

import io.micrometer.core.instrument.Gauge;
import io.parley.push.EdgeMetrics;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The sockets open on this node, by user. */
@Component
class ConnectionRegistry {

    private final Map<String, Set<Connection>> byUser = new ConcurrentHashMap<>();
    private volatile boolean draining;

    /** Gauges, read when scraped: nothing is counted on connect or disconnect for them. */
    ConnectionRegistry(EdgeMetrics metrics) {
        Gauge.builder("parley.sockets.open", this, ConnectionRegistry::size).description("WebSockets open on this node").register(metrics.registry());
        Gauge.builder("parley.users.online", this, ConnectionRegistry::users).description("Users with at least one WebSocket open on this node").register(metrics.registry());
        Gauge.builder("parley.outbound.queue.depth", this, ConnectionRegistry::queuedFrames).description("Frames queued for this node's sockets and not yet written").register(metrics.registry());
    }

    /** Registers a connection; answers whether it is the user's first on this node. */
    boolean add(Connection connection) {
        boolean[] first = {false};
        byUser.compute(connection.userId, (user, set) -> {
            if (set == null) {
                set = ConcurrentHashMap.newKeySet();
                first[0] = true;
            }
            set.add(connection);
            return set;
        });
        return first[0];
    }

    /** Removes a connection; answers whether it was the user's last on this node. */
    boolean remove(Connection connection) {
        boolean[] last = {false};
        byUser.computeIfPresent(connection.userId, (user, set) -> {
            set.remove(connection);
            if (set.isEmpty()) {
                last[0] = true;
                return null;
            }
            return set;
        });
        return last[0];
    }

    Collection<Connection> of(String userId) {
        Set<Connection> set = byUser.get(userId);
        return set == null ? List.of() : set;
    }

    boolean isConnected(String userId) {
        return byUser.containsKey(userId);
    }

    /** The node is shutting down ({@link SocketDrain}): no new socket is served. */
    void startDraining() {
        draining = true;
    }

    boolean isDraining() {
        return draining;
    }

    /** Every open connection of this node. */
    List<Connection> all() {
        return byUser.values().stream().flatMap(Set::stream).toList();
    }

    /** Users with at least one socket open on this node. */
    int users() {
        return byUser.size();
    }

    /** Frames queued for all sockets of this node and not yet written. */
    long queuedFrames() {
        long sum = 0;
        for (Set<Connection> set : byUser.values()) {
            for (Connection connection : set) {
                sum += connection.queued();
            }
        }
        return sum;
    }

    int size() {
        return byUser.values().stream().mapToInt(Set::size).sum();
    }
}
