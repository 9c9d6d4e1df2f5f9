package io.parley.push.socket;

import io.parley.api.wire.CloseCodes;
import io.parley.push.PushProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * The sockets' part of a graceful shutdown (SIGTERM, or the context closing). When the node stops, before the web
 * server's own graceful shutdown and before live delivery ends ({@link EventFanout}): no new socket is served, no
 * further frame is taken from the open ones, and each is closed with 1012 "service restart" as soon as every frame it
 * sent before has been answered (the commands run to their end, their acks are handed to the socket ahead of the
 * close frame). A socket still busy after {@code parley.push.drain-timeout} is closed anyway. The clients reconnect,
 * to another node behind the load balancer, and {@code sync}; a frame not taken is resent with its id.
 * <p>
 * HTTP requests in flight are Spring Boot's graceful shutdown ({@code server.shutdown=graceful}); commands the HTTP
 * command bus has in flight are Axon's shutdown; both come after this phase. Each phase waits at most
 * {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
@Component
class SocketDrain implements SmartLifecycle {

    static final String REASON = "service restart";
    private static final Logger log = LoggerFactory.getLogger(SocketDrain.class);

    private final ConnectionRegistry connections;
    private final PushProperties properties;
    private volatile boolean running;

    SocketDrain(ConnectionRegistry connections, PushProperties properties) {
        this.connections = connections;
        this.properties = properties;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        connections.startDraining();
        List<Connection> open = connections.all();
        int count = open.size();
        open.forEach(Connection::drain);
        long deadline = System.nanoTime() + properties.drainTimeout().toNanos();
        int forced = 0;
        while (true) {
            List<Connection> left = connections.all();
            boolean late = System.nanoTime() > deadline;
            for (Connection connection : left) {
                connection.drain(); // one registered after the first look
                if (connection.isIdle() || late) {
                    if (!connection.isIdle()) {
                        forced++;
                    }
                    connection.end(CloseCodes.SERVICE_RESTART, REASON);
                }
            }
            if (left.isEmpty() || late) {
                break;
            }
            pause();
        }
        // the close frames are written by the sockets' own pipelines; give them a moment to leave
        long flushDeadline = System.nanoTime() + 1_000_000_000L;
        while (connections.size() > 0 && System.nanoTime() < flushDeadline) {
            pause();
        }
        running = false;
        if (count > 0) {
            log.info("Shutdown: {} sockets told to reconnect (1012 service restart){}", count,
                    forced > 0 ? ", " + forced + " of them before their last frame was answered" : "");
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before live delivery ({@link EventFanout}) and before the web server's graceful shutdown. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 500;
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
