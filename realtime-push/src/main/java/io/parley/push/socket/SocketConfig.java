package io.parley.push.socket;

import io.micrometer.observation.ObservationPredicate;
import io.parley.push.PushProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.netty.http.server.WebsocketServerSpec;

import java.util.Map;

/**
 * Maps {@code /ws}, sets Reactor Netty's frame limit above Parley's own (so oversize frames get TOO_LARGE), runs
 * the handshake on the socket's event loop ({@link EventLoopHandshake}), and keeps sockets out of the HTTP request
 * observation.
 */
@Configuration(proxyBeanMethods = false)
class SocketConfig {

    static final String PATH = "/ws";

    @Bean
    HandlerMapping chatSocketMapping(ChatSocketHandler handler) {
        return new SimpleUrlHandlerMapping(Map.of(PATH, handler), -1);
    }

    /**
     * A WebSocket's upgrade request is an HTTP exchange that lasts as long as the socket. Observed like any request,
     * each open socket kept that observation (with its span and active-request sample) and the ones made under it
     * alive for its whole life: most of the 8 KB of heap an idle socket gained with issue 18 (docs/benchmark.md).
     * Sockets have meters of their own ({@code parley_sockets_*}).
     */
    @Bean
    ObservationPredicate socketsAreNotHttpRequests() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && PATH.equals(request.getCarrier().getPath().pathWithinApplication().value()));
    }

    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(PushProperties properties) {
        int hardLimit = (int) properties.hardFrameLimit().toBytes();
        ReactorNettyRequestUpgradeStrategy strategy = new ReactorNettyRequestUpgradeStrategy(
                () -> WebsocketServerSpec.builder().maxFramePayloadLength(hardLimit).handlePing(false));
        return new WebSocketHandlerAdapter(new EventLoopHandshake(new HandshakeWebSocketService(strategy)));
    }
}
