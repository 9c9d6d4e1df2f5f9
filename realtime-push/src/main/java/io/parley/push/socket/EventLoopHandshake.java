package io.parley.push.socket;

import io.netty.channel.EventLoop;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

/**
 * Performs the WebSocket handshake on the socket's own Netty event loop, whatever thread the request reached the
 * handler on.
 * <p>
 * Why: authentication of the handshake may finish on a worker thread (the session lookup blocks). Reactor Netty
 * (1.2) started from such a thread writes the {@code 101} response, and only afterwards, in a task queued to the event
 * loop, rebinds the connection to its WebSocket operations. A client that sends its first frame the moment the socket
 * opens (the web client sends {@code sync} at once) can have that frame read by the event loop before the rebind: the
 * HTTP request's finished inbound drops it ({@code FluxReceive ... dropping frame}) and the client waits for a
 * {@code synced} that never comes. Started on the event loop, the write and the rebind happen in one task, before any
 * later read. Found by {@code BrowserMediaTest}, which failed this way in about one run in three on a loaded machine.
 */
final class EventLoopHandshake implements WebSocketService {

    private final WebSocketService delegate;

    EventLoopHandshake(WebSocketService delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
        Mono<Void> handshake = Mono.defer(() -> delegate.handleRequest(exchange, handler));
        EventLoop loop = eventLoopOf(exchange);
        if (loop == null || loop.inEventLoop()) {
            return handshake;
        }
        return handshake.subscribeOn(Schedulers.fromExecutor(loop));
    }

    /** The Netty event loop of the request's connection, or null when it is not served by Reactor Netty. */
    static EventLoop eventLoopOf(ServerWebExchange exchange) {
        Object request = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
        return request instanceof Connection connection ? connection.channel().eventLoop() : null;
    }
}
