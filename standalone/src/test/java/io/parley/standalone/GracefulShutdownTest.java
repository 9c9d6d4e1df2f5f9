package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.api.wire.CloseCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM stops the standalone server gracefully: a client that was sending sees close code 1012 "service restart"
 * with every ack of what the server took ahead of it, the process ends, and after a start on the same data directory
 * every acknowledged message is there at its acked seq; the sends not taken, resent with their ids, complete the
 * conversation without a duplicate.
 */
class GracefulShutdownTest {

    private static final String[] LIMITS = {"parley.limits.sends-per-second=5000", "parley.limits.sends-burst=5000",
            "parley.limits.frames-per-second=5000", "parley.limits.frames-burst=5000"};

    @TempDir
    Path workDir;

    @Test
    void sigtermClosesSocketsWith1012AfterAnsweringWhatTheyTookAndLosesNothingAcknowledged() throws Exception {
        Path dataDir = workDir.resolve("data");
        ParleyProcess server = new ParleyProcess(dataDir, LIMITS).start();
        int total = 200;
        Map<String, Long> acked = new HashMap<>();
        try {
            RunningParley target = server.asClientTarget();
            ParleyClient alice = ParleyClient.signUp(target, "alice");
            ParleyClient bob = ParleyClient.signUp(target, "bob");
            String conversation = alice.openDirectWith(bob);
            SocketClient aliceSocket = alice.connect(target);
            SocketClient bobSocket = bob.connect(target);
            for (int i = 1; i <= total; i++) {
                aliceSocket.send(json("type", "send", "id", "g" + i, "conversationId", conversation,
                        "text", "message " + i));
                if (i == 20) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> !aliceSocket.frames(type("ack")).isEmpty());
                }
            }
            // SIGTERM while sends are still queued on the server
            int exit = server.terminate(Duration.ofSeconds(60));
            System.out.println("exit code after SIGTERM: " + exit);

            assertThat(aliceSocket.closeCode()).as("close code seen by the sender").isEqualTo(CloseCodes.SERVICE_RESTART);
            assertThat(aliceSocket.closeReason()).isEqualTo("service restart");
            assertThat(bobSocket.closeCode()).as("close code seen by a listener").isEqualTo(CloseCodes.SERVICE_RESTART);
            assertThat(aliceSocket.frames(type("error"))).as("no error frames, INTERNAL least of all").isEmpty();
            aliceSocket.frames(type("ack")).forEach(f -> acked.put(f.get("id").asText(), f.get("seq").asLong()));
            assertThat(acked).as("the server answered what it took before closing").isNotEmpty();
            assertThat(server.logText()).contains("told to reconnect (1012 service restart)");

            server = new ParleyProcess(dataDir, LIMITS).start();
            target = server.asClientTarget();
            List<JsonNode> history = history(alice.on(target), conversation, acked.size());
            Map<String, Long> stored = new HashMap<>();
            history.forEach(m -> stored.put(m.get("text").asText(), m.get("seq").asLong()));
            acked.forEach((id, seq) -> assertThat(stored.get("message " + id.substring(1)))
                    .as("acked %s survived the restart at its seq", id).isEqualTo(seq));

            try (SocketClient again = alice.on(target).connect(target)) {
                for (int i = 1; i <= total; i++) {
                    if (!acked.containsKey("g" + i)) {
                        again.send(json("type", "send", "id", "g" + i, "conversationId", conversation,
                                "text", "message " + i));
                    }
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> again.frames(type("ack")).size()
                        == total - acked.size());
            }
            List<JsonNode> all = history(alice.on(target), conversation, total);
            assertThat(all).extracting(m -> m.get("seq").asLong()).as("every message once, seq 1..N")
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
        } catch (AssertionError | RuntimeException e) {
            System.out.println("---- server log ----\n" + server.logText());
            throw e;
        } finally {
            server.close();
        }
    }

    private static List<JsonNode> history(ParleyClient client, String conversation, int atLeast) {
        return client.fullHistory(conversation, atLeast, Duration.ofSeconds(60));
    }
}
