package io.parley.push;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * Limits and tuning of the edge ({@code parley.push.*}).
 *
 * @param maxFrameSize       largest client frame accepted; a larger one is answered with {@code TOO_LARGE}
 * @param hardFrameLimit     frames above this are not even read: Reactor Netty closes the socket (1009)
 * @param outboundBuffer     frames queued for one connection before it counts as a slow consumer and is closed
 *                           with close code 4008 (the client then reconnects and syncs)
 * @param commandConcurrency commands in flight at once from this node (they run JDBC on worker threads)
 * @param heartbeatInterval  how often the server pings each socket
 * @param idleTimeout        a socket silent this long (no frame, no pong) is closed as dead (close code 4001)
 * @param syncGrace          how long a socket opened with {@code ?resume=true} holds live messages waiting for the
 *                           client's first frame, so that its {@code sync} answers in order; a frame other than sync
 *                           ends it. Other sockets get live messages at once
 * @param drainTimeout       at shutdown, how long a socket may take to finish the frames it already sent (their acks
 *                           included) before it is closed with 1012 "service restart" anyway; keep it below
 *                           {@code spring.lifecycle.timeout-per-shutdown-phase}
 */
@ConfigurationProperties(prefix = "parley.push")
public record PushProperties(@DefaultValue("64KB") DataSize maxFrameSize,
                             @DefaultValue("1MB") DataSize hardFrameLimit,
                             @DefaultValue("2048") int outboundBuffer,
                             @DefaultValue("64") int commandConcurrency,
                             @DefaultValue("1s") Duration syncGrace,
                             @DefaultValue("25s") Duration heartbeatInterval,
                             @DefaultValue("75s") Duration idleTimeout,
                             @DefaultValue("5s") Duration drainTimeout) {
}
