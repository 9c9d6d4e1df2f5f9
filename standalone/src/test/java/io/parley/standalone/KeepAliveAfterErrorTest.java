package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that keeps its connection open gets an answer to every request, also right after an error answer. With
 * error answers written synchronously on the connection's event loop, about 1 request in 100 after a 401 or a 404
 * got no answer at all from Reactor Netty 1.2.18 (reactor-netty #4188/#4361); the JDK client waited for ever.
 */
class KeepAliveAfterErrorTest {

    @TempDir
    Path dataDir;

    @Test
    void everyRequestAfterAnErrorOnTheSameConnectionIsAnswered() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir,
                "parley.limits.http-per-second=100000", "parley.limits.http-burst=100000")) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            List<String> unanswered = new ArrayList<>();
            int rounds = 1_500;
            for (int i = 0; i < rounds; i++) {
                boolean badToken = i % 2 == 0;
                HttpRequest error = HttpRequest.newBuilder(URI.create(parley.http()
                                + (badToken ? "/api/conversations" : "/api/no-such-route")))
                        .header("Authorization", "Bearer " + (badToken ? "not.a.token" : alice.token))
                        .timeout(Duration.ofSeconds(2)).GET().build();
                HttpRequest good = HttpRequest.newBuilder(URI.create(parley.http() + "/api/conversations"))
                        .header("Authorization", "Bearer " + alice.token)
                        .timeout(Duration.ofSeconds(2)).GET().build();
                try {
                    assertThat(http.send(error, HttpResponse.BodyHandlers.ofString()).statusCode())
                            .isEqualTo(badToken ? 401 : 404);
                    assertThat(http.send(good, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                } catch (HttpTimeoutException stalled) {
                    unanswered.add("round " + i + " after a " + (badToken ? "401" : "404"));
                }
            }
            assertThat(unanswered).as("requests without an answer in %d rounds", rounds).isEmpty();
        }
    }
}
