package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A frame the client sends the moment its socket opens is answered, every time. The web client sends {@code sync}
 * from its {@code onopen}; when the handshake ran on a worker thread, Reactor Netty could read that frame before it
 * had rebound the connection to the socket and drop it, and the client waited for ever "catching up" (see
 * {@code EventLoopHandshake}). Each round opens a socket with a ticket, as the web client does, that sends a
 * {@code ping} from {@code onOpen} and waits for its {@code pong}.
 */
class FirstFrameTest {

    private static final int ROUNDS = 200;

    @TempDir
    Path dataDir;

    @Test
    void aFrameSentTheMomentTheSocketOpensIsAnswered() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir,
                "parley.limits.http-per-second=100000", "parley.limits.http-burst=100000")) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            HttpClient http = HttpClient.newHttpClient();
            List<Integer> unanswered = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                PingOnOpen listener = new PingOnOpen();
                // as the web client does: a one-time ticket in the URL (redeemed against the session store)
                String ticket = alice.call("POST", "/api/sessions/socket-ticket", null).body().get("ticket").asText();
                WebSocket socket = http.newWebSocketBuilder()
                        .buildAsync(URI.create(parley.ws() + "?resume=true&ticket=" + ticket), listener)
                        .get(10, TimeUnit.SECONDS);
                try {
                    String reply = listener.firstReply.get(10, TimeUnit.SECONDS);
                    assertThat(reply).as("the answer to the first frame").contains("\"pong\"");
                } catch (TimeoutException e) {
                    unanswered.add(round);
                } finally {
                    socket.abort();
                }
            }
            assertThat(unanswered).as("rounds whose first frame got no answer within 10 s").isEmpty();
        }
    }

    private static final class PingOnOpen implements WebSocket.Listener {

        final CompletableFuture<String> firstReply = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.sendText("{\"type\":\"ping\",\"id\":\"first\"}", true);
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                firstReply.complete(text.toString());
                text.setLength(0);
            }
            return null;
        }
    }
}
