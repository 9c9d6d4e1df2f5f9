package io.parley.push.socket;

import io.parley.api.wire.CloseCodes;
import io.parley.push.PushProperties;
import io.parley.push.presence.PresenceService;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.security.Principal;

/**
 * The {@code /ws} endpoint. The handshake was authenticated by the edge's filter; the principal's name is the user id.
 * One pipeline per socket: inbound frames are handled one after another (so a client's sends are committed in the
 * order it sent them), outbound frames flow from the connection's own bounded queue.
 */
@Component
class ChatSocketHandler implements WebSocketHandler {

    private final ConnectionRegistry registry;
    private final FrameHandler frames;
    private final PresenceService presence;
    private final PushProperties properties;

    ChatSocketHandler(ConnectionRegistry registry, FrameHandler frames, PresenceService presence,
                      PushProperties properties) {
        this.registry = registry;
        this.frames = frames;
        this.presence = presence;
        this.properties = properties;
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        return session.getHandshakeInfo().getPrincipal()
                .map(Principal::getName)
                .flatMap(userId -> serve(session, userId))
                .switchIfEmpty(Mono.defer(() -> session.close(CloseStatus.POLICY_VIOLATION)));
    }

    private Mono<Void> serve(WebSocketSession session, String userId) {
        Connection connection = new Connection(session.getId(), userId, properties.outboundBuffer(),
                slow -> session.close(new CloseStatus(CloseCodes.SLOW_CONSUMER, "slow consumer: reconnect and sync"))
                        .subscribe());
        if (registry.add(connection)) {
            presence.connected(userId);
        }
        Disposable grace = Mono.delay(properties.syncGrace()).subscribe(tick -> connection.graceExpired());
        long maxBytes = properties.maxFrameSize().toBytes();
        Mono<Void> input = session.receive()
                .map(message -> InboundFrame.of(message, maxBytes))
                .concatMap(frame -> frames.handle(connection, frame))
                .doFinally(signal -> connection.complete())
                .then();
        Mono<Void> output = session.send(connection.frames().map(session::textMessage));
        return input.and(output).doFinally(signal -> {
            grace.dispose();
            connection.complete();
            if (registry.remove(connection)) {
                presence.disconnected(userId);
            }
        });
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
