package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.axon.BatchingCommandBus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * More commands than the command side holds waiting ({@code parley.axon.command-queue-capacity}, here 1 so that a
 * burst from 40 sockets is more): the ones beyond are answered at once with {@code UNAVAILABLE} and a
 * {@code retryAfter} hint, nothing of them is stored, and every acknowledged message is in the history.
 */
class OverloadTest {

    private static final int BURST = 200;
    private static final int DEVICES = 40;

    @Test
    void sendsBeyondWhatTheCommandSideHoldsAreRefusedAtOnceAsUnavailableAndNoAcknowledgedOneIsLost() throws Exception {
        try (RunningParley parley = RunningParley.start(Files.createTempDirectory("parley-overload"),
                "parley.axon.command-queue-capacity=1", "parley.limits.connections-per-user=" + DEVICES,
                "parley.limits.sends-per-second=5000", "parley.limits.sends-burst=5000",
                "parley.limits.frames-per-second=5000", "parley.limits.frames-burst=5000")) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String direct = alice.openDirectWith(bob);
            // a socket's frames are answered one after another: the burst comes from many devices at once
            List<SocketClient> devices = IntStream.range(0, DEVICES).mapToObj(i -> alice.connect(parley)).toList();
            try {
                for (int i = 0; i < BURST; i++) {
                    devices.get(i % DEVICES).send(json("type", "send", "id", "s" + i, "conversationId", direct,
                            "text", "burst " + i));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> answers(devices).size() == BURST);

                List<JsonNode> refused = answers(devices).stream().filter(f -> f.get("type").asText().equals("error"))
                        .toList();
                Set<String> acknowledged = answers(devices).stream().filter(f -> f.get("type").asText().equals("ack"))
                        .map(f -> "burst " + f.get("id").asText().substring(1)).collect(Collectors.toSet());
                assertThat(refused).as("a burst of %d sends from %d sockets meets a lane holding one", BURST, DEVICES)
                        .isNotEmpty()
                        .allSatisfy(error -> {
                            assertThat(error.get("code").asText()).as(error.toString()).isEqualTo("UNAVAILABLE");
                            assertThat(error.get("retryAfter").asLong()).as(error.toString()).isEqualTo(1);
                            assertThat(error.get("message").asText()).contains("busy");
                        });
                assertThat(acknowledged).hasSize(BURST - refused.size()).isNotEmpty();
                assertThat(parley.bean(BatchingCommandBus.class).refusals()).as("parley_command_refused_total")
                        .isEqualTo(refused.size());
                Set<String> stored = alice.fullHistory(direct, acknowledged.size(), Duration.ofSeconds(30)).stream()
                        .map(m -> m.get("text").asText()).collect(Collectors.toSet());
                assertThat(stored).as("exactly the acknowledged messages").isEqualTo(acknowledged);
            } finally {
                devices.forEach(SocketClient::close);
            }
            // the same answer over HTTP, once the lane is free a send goes through again
            List<ParleyClient.Response> http = IntStream.range(0, 50).parallel()
                    .mapToObj(i -> alice.sendOverHttp(direct, "over http " + i)).toList();
            assertThat(http).allSatisfy(answer -> assertThat(answer.status()).as(answer.toString()).isIn(201, 503))
                    .filteredOn(answer -> answer.status() == 503).allSatisfy(answer ->
                            assertThat(answer.body().get("code").asText()).isEqualTo("UNAVAILABLE"));
            assertThat(alice.sendOverHttp(direct, "after the burst").status()).isEqualTo(201);
        }
    }

    /** The answers to the burst's sends, from every device. */
    private static List<JsonNode> answers(List<SocketClient> devices) {
        return devices.stream().flatMap(device -> device.frames(f -> f.path("id").asText().startsWith("s")
                && Set.of("ack", "error").contains(f.get("type").asText())).stream()).toList();
    }
}
