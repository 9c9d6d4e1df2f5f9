package io.parley.bench.load;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * One WebSocket connection to {@code /ws}, opened with Reactor Netty's client and authenticated by the
 * {@code Authorization: Bearer} header. Frames to send go through a queue of its own; every received text frame
 * is handed to the listener on the Netty thread that read it.
 */
public final class Socket {

    /** Shared by all sockets of the generator: no pooling (a WebSocket is never returned to a pool). */
    private static final LoopResources LOOPS = LoopResources.create("bench-ws",
            Math.max(1, Runtime.getRuntime().availableProcessors()), true);
    private static final HttpClient CLIENT = HttpClient.create(ConnectionProvider.newConnection())
            .runOn(LOOPS)
            .responseTimeout(Duration.ofSeconds(60));

    public static final AtomicInteger OPEN = new AtomicInteger();
    public static final AtomicInteger CLOSED_BY_SERVER = new AtomicInteger();
    public static final AtomicInteger LISTENER_FAILURES = new AtomicInteger();

    public final String userId;
    public final int index;
    /** Highest seq seen per conversation; touched only by the Netty thread that reads this socket. */
    public final java.util.Map<String, Long> lastSeq = new java.util.HashMap<>();
    private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
    private volatile boolean open;
    private volatile boolean closing;
    private volatile String closeStatus;

    private Socket(String userId, int index) {
        this.userId = userId;
        this.index = index;
    }

    /**
     * Opens a socket; the Mono completes once the handshake is done.
     *
     * @param bindTo local address to connect from (several loopback addresses multiply the ephemeral ports), or null
     */
    public static Mono<Socket> open(String wsUrl, String userId, String token, int index, String bindTo,
                                    BiConsumer<Socket, String> listener) {
        Socket socket = new Socket(userId, index);
        Sinks.One<Socket> ready = Sinks.one();
        HttpClient client = CLIENT.headers(h -> h.set("Authorization", "Bearer " + token));
        if (bindTo != null) {
            client = client.bindAddress(() -> new InetSocketAddress(bindTo, 0));
        }
        client.websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build())
                .uri(wsUrl)
                .handle((in, out) -> {
                    socket.open = true;
                    OPEN.incrementAndGet();
                    ready.tryEmitValue(socket);
                    in.receiveCloseStatus().subscribe(status -> socket.closeStatus = status.code() + " "
                            + status.reasonText());
                    Mono<Void> received = in.aggregateFrames(1 << 20).receive().asString()
                            .doOnNext(text -> {
                                try {
                                    listener.accept(socket, text);
                                } catch (RuntimeException e) {
                                    LISTENER_FAILURES.incrementAndGet();
                                }
                            }).then();
                    Mono<Void> sent = out.sendString(socket.outbound.asFlux(), java.nio.charset.StandardCharsets.UTF_8)
                            .then();
                    return Flux.from(Mono.firstWithSignal(received, sent));
                })
                .doFinally(signal -> {
                    if (socket.open) {
                        OPEN.decrementAndGet();
                        if (!socket.closing) {
                            CLOSED_BY_SERVER.incrementAndGet();
                        }
                    }
                    socket.open = false;
                    ready.tryEmitError(new IllegalStateException("handshake failed (" + signal + ")"));
                })
                .subscribe(ignored -> {
                }, error -> ready.tryEmitError(error));
        return ready.asMono();
    }

    public boolean isOpen() {
        return open;
    }

    public String closeStatus() {
        return closeStatus;
    }

    /** Queues a text frame; callable from any thread. */
    public void send(String text) {
        synchronized (outbound) {
            outbound.tryEmitNext(text);
        }
    }

    public void close() {
        closing = true;
        synchronized (outbound) {
            outbound.tryEmitComplete();
        }
    }

}
