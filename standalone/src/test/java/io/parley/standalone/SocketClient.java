package io.parley.standalone;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's) that records every frame the server sends. */
final class SocketClient implements WebSocket.Listener, AutoCloseable {

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile Integer closeCode;
    private volatile String closeReason;
    private volatile boolean paused;
    private WebSocket socket;

    static SocketClient connect(String url, String token) {
        return open(new SocketClient(), url, token);
    }

    /** A client that reads one frame and then stops reading until {@link #resume()}: a slow consumer. */
    static SocketClient connectPaused(String url, String token) {
        SocketClient client = new SocketClient();
        client.paused = true;
        return open(client, url, token);
    }

    void resume() {
        paused = false;
        socket.request(Long.MAX_VALUE);
    }

    /** {@code token} null: no {@code Authorization} header (the URL carries the credential, e.g. a ticket). */
    private static SocketClient open(SocketClient client, String url, String token) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        client.socket = builder.connectTimeout(Duration.ofSeconds(5)).buildAsync(URI.create(url), client).join();
        return client;
    }

    /** Tries to open a socket; answers the failure (for refused handshakes). */
    static Throwable refusal(String url, String authorization) {
        try {
            WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
            if (authorization != null) {
                builder.header("Authorization", authorization);
            }
            builder.buildAsync(URI.create(url), new SocketClient()).join().abort();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    void send(JsonNode frame) {
        sendText(frame.toString());
    }

    void sendText(String text) {
        socket.sendText(text, true).join();
    }

    /** Sends one text message in parts (a first frame and continuation frames), as RFC 6455 allows. */
    void sendFragmented(List<String> parts) {
        for (int i = 0; i < parts.size(); i++) {
            socket.sendText(parts.get(i), i == parts.size() - 1).join();
        }
    }

    void sendBinary(byte[] data) {
        socket.sendBinary(java.nio.ByteBuffer.wrap(data), true).join();
    }

    /** How many frames were received so far: a mark for {@link #receivedSince(int)}. */
    int receivedCount() {
        return received.size();
    }

    /** The frames received after {@code mark} (a {@link #receivedCount()}), in order. */
    List<JsonNode> receivedSince(int mark) {
        List<JsonNode> all = List.copyOf(received);
        return all.subList(Math.min(mark, all.size()), all.size());
    }

    /** Waits for the first frame matching, searching everything received so far. */
    JsonNode await(Predicate<JsonNode> match) {
        return await(match, Duration.ofSeconds(10));
    }

    JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode frame : received) {
                if (match.test(frame)) {
                    return frame;
                }
            }
            sleep(5);
        }
        throw new AssertionError("no matching frame within " + timeout + "; received: " + received);
    }

    static Predicate<JsonNode> type(String type) {
        return frame -> type.equals(frame.path("type").asText());
    }

    static Predicate<JsonNode> reply(String type, String id) {
        return type(type).and(frame -> id.equals(frame.path("id").asText()));
    }

    List<JsonNode> frames(Predicate<JsonNode> match) {
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode frame : received) {
            if (match.test(frame)) {
                matching.add(frame);
            }
        }
        return matching;
    }

    Integer closeCode() {
        return closeCode;
    }

    /** The reason of the server's close frame, or null before one arrived. */
    String closeReason() {
        return closeReason;
    }

    boolean isOpen() {
        return !socket.isInputClosed() && !socket.isOutputClosed();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(paused ? 1 : Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (partial) {
            partial.append(data);
            if (last) {
                try {
                    received.add(ParleyClient.JSON.readTree(partial.toString()));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("server sent invalid JSON: " + partial, e);
                } finally {
                    partial.setLength(0);
                }
            }
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closeCode = statusCode;
        return null;
    }

    @Override
    public void close() {
        if (isOpen()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
    }

    void abort() {
        socket.abort();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
