package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live delivery of one conversation waits for nothing but its own members: when the node must load a conversation's
 * members from a read model that lags (here: a conversation from before a restart, while the conversation projection
 * stands still), the other conversations' messages go on arriving at once.
 */
class LiveDeliveryWhileTheReadModelLagsTest {

    @Test
    void aConversationWhoseMembersTheNodeMustWaitForDoesNotHoldUpTheOthersLiveMessages() throws Exception {
        Path dataDir = Files.createTempDirectory("parley-live-lag");
        ParleyClient alice;
        ParleyClient bob;
        ParleyClient carol;
        ParleyClient dave;
        String aliceAndBob;
        String carolAndDave;
        try (RunningParley before = RunningParley.start(dataDir)) {
            alice = ParleyClient.signUp(before, "alice");
            bob = ParleyClient.signUp(before, "bob");
            carol = ParleyClient.signUp(before, "carol");
            dave = ParleyClient.signUp(before, "dave");
            aliceAndBob = alice.openDirectWith(bob);
            carolAndDave = carol.openDirectWith(dave);
            assertThat(alice.sendOverHttp(aliceAndBob, "hello bob").status()).isEqualTo(201);
        }
        // a read model that does not catch up in time would hold the others' messages for 20 s
        try (RunningParley after = RunningParley.start(dataDir, "parley.query.consistency-wait=20s")) {
            alice = alice.on(after);
            bob = bob.on(after);
            carol = carol.on(after);
            dave = dave.on(after);
            try (SocketClient daveSocket = dave.connect(after)) {
                assertThat(carol.sendOverHttp(carolAndDave, "hello dave").status()).isEqualTo(201);
                daveSocket.await(text("hello dave"));
                StreamingEventProcessor projection = after.bean(EventProcessingConfiguration.class)
                        .eventProcessor("conversation-projection", StreamingEventProcessor.class).orElseThrow();
                projection.shutDown();

                // no member of alice and bob's conversation is connected here: this node has never needed its members
                assertThat(bob.call("POST", "/api/conversations/" + aliceAndBob + "/read", json("upToSeq", 1))
                        .status()).isEqualTo(204);
                assertThat(carol.sendOverHttp(carolAndDave, "still there?").status()).isEqualTo(201);
                daveSocket.await(text("still there?"), Duration.ofSeconds(5));

                projection.start();
            }
            try (SocketClient aliceSocket = alice.connect(after)) {
                assertThat(bob.sendOverHttp(aliceAndBob, "hello alice").status()).isEqualTo(201);
                aliceSocket.await(text("hello alice"), Duration.ofSeconds(30));
            }
        }
    }

    private static Predicate<JsonNode> text(String text) {
        return type("message").and(frame -> text.equals(frame.path("text").asText()));
    }
}
