package io.parley.push.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.NettyPipeline;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KeepAliveReadResumer}'s handler on a channel without a socket: the reads it asks the connection for, counted
 * where they would reach the socket. Reactor Netty's own handlers are not there: a handler named as its traffic
 * handler stands for an HTTP/1.1 connection that has not been upgraded. {@code KeepAliveAfterErrorTest} (standalone)
 * shows the lost read itself on a booted server.
 */
class KeepAliveReadResumerTest {

    /** Counts the reads asked for on the channel (they pass through here on their way to the transport). */
    private static final class Reads extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) throws Exception {
            count++;
            super.read(ctx);
        }
    }

    private final Reads reads = new Reads();
    private EmbeddedChannel channel;

    @BeforeEach
    void openConnection() {
        channel = new EmbeddedChannel();
        channel.config().setAutoRead(false); // as Reactor Netty's server connections: reads on demand only
        channel.pipeline().addLast("reads", reads);
        channel.pipeline().addLast(KeepAliveReadResumer.HANDLER, new KeepAliveReadResumer.Handler());
        channel.pipeline().addLast(NettyPipeline.HttpTrafficHandler, new ChannelInboundHandlerAdapter());
        reads.count = 0;
    }

    @Test
    void aReadIsAskedForOnceTheAnswerToTheRequestReadIsWritten() {
        channel.writeInbound(request());
        assertThat(reads.count).as("before the answer").isZero();

        channel.writeOutbound(answer(HttpResponseStatus.UNAUTHORIZED));
        channel.runPendingTasks();

        assertThat(reads.count).isEqualTo(1);
    }

    @Test
    void requestsAClientSendsAheadAreReadOnlyAfterEveryOneReadIsAnswered() {
        channel.writeInbound(request());
        channel.writeInbound(request());
        channel.writeInbound(request());

        channel.writeOutbound(answer(HttpResponseStatus.OK));
        channel.writeOutbound(answer(HttpResponseStatus.NOT_FOUND));
        channel.runPendingTasks();
        assertThat(reads.count).as("two of three requests answered").isZero();

        channel.writeOutbound(answer(HttpResponseStatus.OK));
        channel.runPendingTasks();
        assertThat(reads.count).as("all three answered").isEqualTo(1);
    }

    @Test
    void anInterimAnswerIsNotTheAnswer() {
        channel.writeInbound(request());
        channel.writeOutbound(answer(HttpResponseStatus.CONTINUE)); // as Reactor Netty writes it: one full response
        channel.runPendingTasks();
        assertThat(reads.count).as("after 100 Continue").isZero();

        channel.writeOutbound(answer(HttpResponseStatus.CREATED));
        channel.runPendingTasks();
        assertThat(reads.count).isEqualTo(1);
    }

    @Test
    void aConnectionUpgradedToWebSocketIsLeftAlone() {
        channel.writeInbound(request());
        channel.pipeline().remove(NettyPipeline.HttpTrafficHandler); // what Reactor Netty does on the upgrade

        channel.writeOutbound(answer(HttpResponseStatus.SWITCHING_PROTOCOLS));
        channel.runPendingTasks();
        assertThat(reads.count).as("after 101").isZero();

        channel.writeOutbound(answer(HttpResponseStatus.OK)); // a final answer, which would ask for a read over HTTP
        channel.runPendingTasks();
        assertThat(reads.count).isZero();
    }

    private static DefaultHttpRequest request() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/actuator/health/liveness");
    }

    private static DefaultFullHttpResponse answer(HttpResponseStatus status) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
    }
}
