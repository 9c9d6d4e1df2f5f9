package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The foundation story of a newcomer: two users register, log in, open a direct conversation, chat over {@code /ws},
 * read history over HTTP, and after a restart on the same data directory everything is still there and new messages
 * continue at the next seq.
 */
class MessagingStoryTest {

    @TempDir
    Path dataDir;

    /**
     * A socket's frames are read ahead of the one being handled (ChatSocketHandler.FRAMES_READ_AHEAD) but handled one
     * at a time in the order sent: a refusal that needs no command comes after the acks of the sends before it, though
     * those wait for their commit.
     */
    @Test
    void framesSentBackToBackOnOneSocketAreAnsweredInTheOrderSent() {
        try (RunningParley parley = RunningParley.start(dataDir)) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            try (SocketClient socket = alice.connect(parley)) {
                int mark = socket.receivedCount();
                List<String> sent = new ArrayList<>();
                for (int i = 1; i <= 40; i++) {
                    String id = "f" + i;
                    // every tenth frame refused at once: a conversation that does not exist
                    socket.send(json("type", "send", "id", id, "conversationId", i % 10 == 0 ? "no-such" : conversation,
                            "text", "back to back " + i));
                    sent.add(id);
                }
                socket.await(reply("error", "f40"));
                List<JsonNode> answers = socket.receivedSince(mark).stream()
                        .filter(frame -> frame.path("id").asText().startsWith("f")).toList();
                assertThat(answers).extracting(frame -> frame.get("id").asText()).as("answers in the order sent")
                        .isEqualTo(sent);
                assertThat(answers).filteredOn(type("ack")).extracting(frame -> frame.get("seq").asLong())
                        .as("seqs in the order sent").isSorted().doesNotHaveDuplicates().hasSize(36);
                assertThat(answers).filteredOn(type("error")).hasSize(4);
            }
        }
    }

    @Test
    void twoUsersChatLiveReadHistoryAndKeepEverythingAcrossARestart() {
        ParleyClient alice;
        ParleyClient bob;
        String conversation;
        try (RunningParley parley = RunningParley.start(dataDir)) {
            alice = ParleyClient.signUp(parley, "alice");
            bob = ParleyClient.signUp(parley, "bob");
            conversation = alice.openDirectWith(bob);
            assertThat(bob.openDirectWith(alice)).as("the same id from either side").isEqualTo(conversation);

            try (SocketClient aliceSocket = alice.connect(parley);
                 SocketClient aliceOtherDevice = alice.connect(parley);
                 SocketClient bobSocket = bob.connect(parley)) {
                for (int i = 1; i <= 3; i++) {
                    aliceSocket.send(json("type", "send", "id", "m" + i, "conversationId", conversation,
                            "text", "hello " + i));
                    JsonNode ack = aliceSocket.await(reply("ack", "m" + i));
                    assertThat(ack.get("seq").asLong()).isEqualTo(i);
                    assertThat(ack.get("conversationId").asText()).isEqualTo(conversation);
                    assertThat(ack.get("messageId").asText()).isNotBlank();
                    assertThat(ack.get("sentAt").asText()).endsWith("Z");
                }
                for (int i = 1; i <= 3; i++) {
                    long seq = i;
                    JsonNode message = bobSocket.await(type("message").and(f -> f.get("seq").asLong() == seq));
                    assertThat(message.get("text").asText()).isEqualTo("hello " + i);
                    assertThat(message.get("senderId").asText()).isEqualTo(alice.userId);
                    assertThat(message.get("deleted").asBoolean()).isFalse();
                    aliceOtherDevice.await(type("message").and(f -> f.get("seq").asLong() == seq));
                }

                // a retried send (same id) is acknowledged with the original seq and delivered once
                aliceSocket.send(json("type", "send", "id", "m2", "conversationId", conversation, "text", "hello 2"));
                await().atMost(Duration.ofSeconds(10)).until(() -> aliceSocket.frames(reply("ack", "m2")).size() == 2);
                List<JsonNode> acks = aliceSocket.frames(reply("ack", "m2"));
                assertThat(acks.get(1).get("seq").asLong()).isEqualTo(2);
                assertThat(acks.get(1).get("messageId")).isEqualTo(acks.get(0).get("messageId"));
                bobSocket.send(json("type", "ping", "id", "p1"));
                bobSocket.await(reply("pong", "p1"));
                assertThat(bobSocket.frames(type("message"))).hasSize(3);

                // bob answers over HTTP; alice sees it live
                ParleyClient.Response sent = bob.call("POST", "/api/conversations/" + conversation + "/messages",
                        json("clientMsgId", "b1", "text", "hi alice"));
                assertThat(sent.status()).isEqualTo(201);
                assertThat(sent.body().get("seq").asLong()).isEqualTo(4);
                aliceSocket.await(type("message").and(f -> f.get("seq").asLong() == 4));
            }

            List<JsonNode> history = awaitHistory(bob, conversation, 4);
            assertThat(history).extracting(m -> m.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
            assertThat(history).extracting(m -> m.get("text").asText())
                    .containsExactly("hello 1", "hello 2", "hello 3", "hi alice");

            JsonNode inbox = bob.call("GET", "/api/conversations", null).body();
            assertThat(inbox).hasSize(1);
            assertThat(inbox.get(0).get("conversationId").asText()).isEqualTo(conversation);
            assertThat(inbox.get(0).get("type").asText()).isEqualTo("direct");
            assertThat(inbox.get(0).get("lastSeq").asLong()).isEqualTo(4);
        }

        try (RunningParley restarted = RunningParley.start(dataDir)) {
            ParleyClient aliceAgain = alice.on(restarted);
            ParleyClient bobAgain = bob.on(restarted);
            assertThat(awaitHistory(bobAgain, conversation, 4)).hasSize(4);
            try (SocketClient bobSocket = bobAgain.connect(restarted);
                 SocketClient aliceSocket = aliceAgain.connect(restarted)) {
                aliceSocket.send(json("type", "send", "id", "after-restart", "conversationId", conversation,
                        "text", "still here?"));
                assertThat(aliceSocket.await(reply("ack", "after-restart")).get("seq").asLong()).isEqualTo(5);
                assertThat(bobSocket.await(type("message")).get("seq").asLong()).isEqualTo(5);
                // the idempotency window survives the restart too
                aliceSocket.send(json("type", "send", "id", "m1", "conversationId", conversation, "text", "hello 1"));
                assertThat(aliceSocket.await(reply("ack", "m1")).get("seq").asLong()).isEqualTo(1);
            }
            assertThat(awaitHistory(aliceAgain, conversation, 5)).extracting(m -> m.get("seq").asLong())
                    .containsExactly(1L, 2L, 3L, 4L, 5L);
        }
    }

    @Test
    void historyPagesBackwardsAndForwards() {
        try (RunningParley parley = RunningParley.start(dataDir)) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            for (int i = 1; i <= 7; i++) {
                assertThat(alice.call("POST", "/api/conversations/" + conversation + "/messages",
                        json("clientMsgId", "c" + i, "text", "n" + i)).status()).isEqualTo(201);
            }
            awaitHistory(bob, conversation, 7);
            JsonNode newest = bob.call("GET", "/api/conversations/" + conversation + "/messages?limit=3", null).body();
            assertThat(seqs(newest)).containsExactly(5L, 6L, 7L);
            assertThat(newest.get("hasMore").asBoolean()).isTrue();
            JsonNode older = bob.call("GET", "/api/conversations/" + conversation + "/messages?before=5&limit=3", null).body();
            assertThat(seqs(older)).containsExactly(2L, 3L, 4L);
            JsonNode oldest = bob.call("GET", "/api/conversations/" + conversation + "/messages?before=2&limit=3", null).body();
            assertThat(seqs(oldest)).containsExactly(1L);
            assertThat(oldest.get("hasMore").asBoolean()).isFalse();
            JsonNode after = bob.call("GET", "/api/conversations/" + conversation + "/messages?after=5", null).body();
            assertThat(seqs(after)).containsExactly(6L, 7L);
            assertThat(after.get("hasMore").asBoolean()).isFalse();
        }
    }

    static List<JsonNode> awaitHistory(ParleyClient client, String conversation, int count) {
        JsonNode[] page = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ParleyClient.Response response = client.call("GET",
                    "/api/conversations/" + conversation + "/messages?limit=200", null);
            page[0] = response.body();
            return response.status() == 200 && response.body().get("messages").size() >= count;
        });
        return StreamSupport.stream(page[0].get("messages").spliterator(), false).toList();
    }

    private static List<Long> seqs(JsonNode page) {
        return StreamSupport.stream(page.get("messages").spliterator(), false).map(m -> m.get("seq").asLong()).toList();
    }
}
