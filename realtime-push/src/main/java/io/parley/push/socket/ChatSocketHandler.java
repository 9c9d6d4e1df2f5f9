package io.parley.push.socket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.api.wire.CloseCodes;
import io.parley.api.wire.ServerFrames;
import io.parley.push.EdgeMetrics;
import io.parley.push.audit.Origin;
import io.parley.push.auth.AuthenticatedUser;
import io.parley.push.limits.RateLimits;
import io.parley.push.web.ErrorCode;
import io.parley.push.PushProperties;
import io.parley.push.presence.PresenceService;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;

/**
 * The {@code /ws} endpoint. The handshake was authenticated by the security chain (a token or a one-time ticket); the
 * principal is the {@link AuthenticatedUser}, whose session's end closes the socket ({@link SessionEndedSockets}).
 * One pipeline per socket: inbound frames are handled one after another (so a client's sends are committed in the
 * order it sent them), outbound frames flow from the connection's own bounded queue.
 */
@Component
class ChatSocketHandler implements WebSocketHandler {

    /**
     * Frames of one socket read ahead of the one being handled: they are handled one at a time, in order, all the same.
     * Reactor's {@code concatMap} without a prefetch asked the socket for one frame at a time, so every frame turned
     * reading off and on again (two {@code epoll_ctl} calls) and woke the event loop from the thread that answered it
     * (docs/benchmark.md, issue 17's twenty-fifth stop). At most this many frames ({@code parley.push.max-frame-size}
     * each) wait in memory per socket.
     */
    static final int FRAMES_READ_AHEAD = 4;

    private final ConnectionRegistry registry;
    private final FrameHandler frames;
    private final PresenceService presence;
    private final PushProperties properties;
    private final RateLimits limits;
    private final SessionEndedSockets endedSessions;
    private final EdgeMetrics metrics;
    private final String tooManyConnections;

    ChatSocketHandler(ConnectionRegistry registry, FrameHandler frames, PresenceService presence,
                      PushProperties properties, RateLimits limits, SessionEndedSockets endedSessions,
                      ObjectMapper json, EdgeMetrics metrics) throws JsonProcessingException {
        this.metrics = metrics;
        this.registry = registry;
        this.endedSessions = endedSessions;
        this.frames = frames;
        this.presence = presence;
        this.properties = properties;
        this.limits = limits;
        this.tooManyConnections = json.writeValueAsString(ServerFrames.Error.of(null, ErrorCode.RATE_LIMITED.name(),
                "too many open connections for this user (at most " + limits.connectionsPerUser() + ")"));
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        if (registry.isDraining()) {
            // the node is shutting down: no new socket; the client reconnects elsewhere
            return session.close(new CloseStatus(CloseCodes.SERVICE_RESTART, SocketDrain.REASON));
        }
        return session.getHandshakeInfo().getPrincipal()
                .flatMap(principal -> Mono.justOrEmpty(AuthenticatedUser.of(principal)))
                .flatMap(user -> serve(session, user))
                .switchIfEmpty(Mono.defer(() -> session.close(CloseStatus.POLICY_VIOLATION)));
    }

    private Mono<Void> serve(WebSocketSession session, AuthenticatedUser user) {
        String userId = user.userId();
        if (registry.of(userId).size() >= limits.connectionsPerUser()) {
            return session.send(Mono.just(session.textMessage(tooManyConnections)))
                    .then(session.close(new CloseStatus(CloseStatus.POLICY_VIOLATION.getCode(), "too many connections")));
        }
        boolean resuming = resumes(session);
        Connection connection = new Connection(session.getId(), user, properties.outboundBuffer(), resuming,
                (code, reason) -> {
                    if (code == CloseCodes.SLOW_CONSUMER) {
                        metrics.slowConsumerClosed();
                    }
                    session.close(new CloseStatus(code, reason)).subscribe();
                });
        if (registry.add(connection)) {
            presence.connected(userId);
        }
        // The session may have ended between the handshake's check and the registration, unseen by the sweep.
        endedSessions.check(connection);
        Disposable grace = resuming ? Mono.delay(properties.syncGrace()).subscribe(tick -> connection.graceExpired())
                : Disposables.disposed();
        long maxBytes = properties.maxFrameSize().toBytes();
        Mono<Void> input = session.receive()
                .doOnNext(message -> connection.heard())
                .filter(message -> message.getType() != WebSocketMessage.Type.PONG
                        && message.getType() != WebSocketMessage.Type.PING)
                .filter(message -> connection.take()) // counted until answered, for the drain at shutdown
                .map(message -> InboundFrame.of(message, maxBytes))
                .concatMap(frame -> frames.handle(connection, frame)
                        .doFinally(signal -> connection.frameDone())
                        .contextWrite(context -> Origin.socket(userId,
                        session.getId(), session.getHandshakeInfo().getRemoteAddress()).into(context)),
                        FRAMES_READ_AHEAD)
                .doFinally(signal -> connection.complete())
                .then();
        // Heartbeats: a ping now and then; a socket silent (no frame, no pong) for the idle timeout is dead.
        Flux<WebSocketMessage> heartbeats = Flux.interval(properties.heartbeatInterval())
                .takeWhile(tick -> !connection.isClosed())
                .flatMap(tick -> {
                    if (connection.silentFor().compareTo(properties.idleTimeout()) > 0) {
                        return session.close(new CloseStatus(CloseCodes.IDLE_TIMEOUT, "no sign of life"))
                                .then(Mono.<WebSocketMessage>empty());
                    }
                    return Mono.just(session.pingMessage(buffers -> buffers.wrap(new byte[0])));
                });
        Mono<Void> output = session.send(Flux.merge(connection.frames().map(session::textMessage), heartbeats));
        return input.and(output).doFinally(signal -> {
            grace.dispose();
            connection.complete();
            if (registry.remove(connection)) {
                presence.disconnected(userId);
            }
        });
    }

    /** {@code /ws?resume=true}: the client's first frame will be a {@code sync}; live messages wait for it. */
    private static boolean resumes(WebSocketSession session) {
        return "true".equals(UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri()).build()
                .getQueryParams().getFirst("resume"));
    }

    /** A frame as received: its text, or why it cannot be read. Copied out of Netty's buffer at once. */
    record InboundFrame(String text, String problem, boolean tooLarge) {
        static InboundFrame of(WebSocketMessage message, long maxBytes) {
            if (message.getType() != WebSocketMessage.Type.TEXT) {
                return new InboundFrame(null, "only text frames carrying JSON are accepted", false);
            }
            int size = message.getPayload().readableByteCount();
            if (size > maxBytes) {
                return new InboundFrame(null, "frame of " + size + " bytes exceeds the limit of " + maxBytes, true);
            }
            return new InboundFrame(message.getPayload().toString(StandardCharsets.UTF_8), null, false);
        }
    }
}
