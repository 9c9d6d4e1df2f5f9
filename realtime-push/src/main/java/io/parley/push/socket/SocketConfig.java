package io.parley.push.socket;

import io.parley.push.EdgePaths;
import io.parley.push.PushProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.netty.http.server.WebsocketServerSpec;

import java.util.Map;

/**
 * Maps {@code /ws}, sets Reactor Netty's frame limit above Parley's own (so oversize frames get TOO_LARGE), and runs
 * the handshake on the socket's event loop ({@link EventLoopHandshake}).
 */
@Configuration(proxyBeanMethods = false)
class SocketConfig {

    @Bean
    HandlerMapping chatSocketMapping(ChatSocketHandler handler) {
        return new SimpleUrlHandlerMapping(Map.of(EdgePaths.SOCKET, handler), -1);
    }

    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(PushProperties properties) {
        int hardLimit = (int) properties.hardFrameLimit().toBytes();
        ReactorNettyRequestUpgradeStrategy strategy = new ReactorNettyRequestUpgradeStrategy(
                () -> WebsocketServerSpec.builder().maxFramePayloadLength(hardLimit).handlePing(false));
        return new WebSocketHandlerAdapter(new EventLoopHandshake(new HandshakeWebSocketService(strategy)));
    }
}
