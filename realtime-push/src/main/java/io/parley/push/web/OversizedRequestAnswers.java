package io.parley.push.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import java.nio.charset.StandardCharsets;

/**
 * A request whose line (method, path and query) or headers are longer than the server reads never reaches WebFlux:
 * Reactor Netty's decoder refuses it and Reactor Netty answered a bare 414 or 431 without a body. This handler sits
 * just after the decoder and answers those two with the body every other error has ({@code {"code","message"}},
 * {@link ErrorCode#URI_TOO_LONG}, {@link ErrorCode#HEADERS_TOO_LARGE}), then closes the connection as Reactor Netty
 * does (the rest of what the client sent cannot be read). Every other request passes untouched.
 */
@Component
class OversizedRequestAnswers implements NettyServerCustomizer {

    static final String HANDLER = "parley.oversizedRequestAnswers";

    private final ObjectMapper json;

    OversizedRequestAnswers(ObjectProvider<ObjectMapper> json) {
        this.json = json.getIfAvailable(ObjectMapper::new);
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnChannelInit((observer, channel, remote) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null && channel.pipeline().get(HANDLER) == null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, HANDLER, new Handler());
            }
        });
    }

    private final class Handler extends ChannelInboundHandlerAdapter {

        /** After an answer, whatever else the decoder hands on is dropped: the connection is closing. */
        private boolean answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (answered) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request && request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                ErrorCode code = cause instanceof TooLongHttpLineException ? ErrorCode.URI_TOO_LONG
                        : cause instanceof TooLongHttpHeaderException ? ErrorCode.HEADERS_TOO_LARGE : null;
                if (code != null) {
                    answered = true;
                    ReferenceCountUtil.release(msg);
                    answer(ctx, code, message(code, cause));
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }

        private String message(ErrorCode code, Throwable cause) {
            // Netty's message states the limit ("An HTTP line is larger than 4096 bytes.")
            String limit = cause instanceof TooLongFrameException && cause.getMessage() != null
                    ? cause.getMessage().replaceAll("^.*larger than (\\d+) bytes.*$", "$1") : null;
            boolean known = limit != null && limit.matches("\\d+");
            String bound = known ? limit + " bytes" : "allowed";
            return code == ErrorCode.URI_TOO_LONG
                    ? "the request line (method, path and query) is longer than " + bound
                    + "; shorten the path or query"
                    : "the request's headers are larger than " + bound;
        }

        private void answer(ChannelHandlerContext ctx, ErrorCode code, String message) {
            byte[] body;
            try {
                body = json.writeValueAsBytes(ApiError.of(code, message));
            } catch (JsonProcessingException e) {
                body = ("{\"code\":\"" + code.name() + "\",\"message\":\"" + code.defaultMessage() + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(code.status().value()), Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
