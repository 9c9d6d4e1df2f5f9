package io.parley.push.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Asks an HTTP/1.1 connection for its next read once more after each response, around a lost read in Reactor Netty
 * 1.2.18 (the newest 1.2 release, which Spring Boot 3.5 takes): reactor/reactor-netty#4361, fixed upstream by
 * reactor/reactor-netty#4347 in a later release.
 * <p>
 * Reactor Netty reads a connection on demand. A keep-alive request that arrives before the previous request's
 * operations have terminated (its response already sent) is buffered with its trailing content; when that buffer
 * drains without a request ({@code HttpTrafficHandler.run}), nothing asks for the next read, and the connection's next
 * request waits unread in the socket until the client gives up. Measured on this machine
 * ({@code KeepAliveAfterErrorTest}, 1,500 rounds of one call then a good call on one connection): without this, 102 of
 * the good calls got no answer (after a 401, a 404 and a liveness probe alike; their bytes sat in the server's receive
 * queue); with it, none. A read asked for once more after each response is written, on the connection's event loop,
 * ends that: the server still reads on demand (one more read at most, and none while one is pending), and HTTP/1.1
 * pipelining stays Reactor Netty's. Connections upgraded to WebSocket are left alone. Remove this once Spring Boot
 * brings a Reactor Netty with the fix.
 */
@Component
class KeepAliveReadResumer implements NettyServerCustomizer {

    static final String HANDLER = "parley.keepAliveReadResumer";

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnChannelInit((observer, channel, remote) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null && channel.pipeline().get(HANDLER) == null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, HANDLER, new Handler());
            }
        });
    }

    private static final class Handler extends ChannelOutboundHandlerAdapter {

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!(msg instanceof LastHttpContent)) {
                ctx.write(msg, promise);
                return;
            }
            ChannelPromise written = promise.unvoid();
            written.addListener(done -> ctx.channel().eventLoop().execute(() -> {
                if (ctx.channel().isActive() && ctx.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
                    ctx.read();
                }
            }));
            ctx.write(msg, written);
        }
    }
}
