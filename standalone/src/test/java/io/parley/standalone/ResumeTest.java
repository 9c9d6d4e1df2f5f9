package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Gap-free resume: whatever happens to a recipient's connection, {@code sync} closes every gap. */
class ResumeTest {

    static RunningParley parley;

    @BeforeAll
    static void boot() throws Exception {
        // the sender below is faster than a person: lift the per-user send limits for it
        parley = RunningParley.start(Files.createTempDirectory("parley-resume"),
                "parley.limits.sends-per-second=5000", "parley.limits.sends-burst=5000",
                "parley.limits.frames-per-second=5000", "parley.limits.frames-burst=5000");
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void aRecipientThatDropsAndResumesWhileTheSenderKeepsSendingEndsWithEverySeqOnceInOrder() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        int total = 300;
        AtomicInteger acked = new AtomicInteger();

        SocketClient firstBobSocket = bob.connect(parley);
        try (SocketClient aliceSocket = alice.connect(parley)) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                for (int i = 1; i <= total; i++) {
                    aliceSocket.send(json("type", "send", "id", "r" + i, "conversationId", conversation,
                            "text", "message " + i));
                    if (i % 20 == 0) {
                        int upTo = i;
                        await().atMost(Duration.ofSeconds(20))
                                .until(() -> aliceSocket.frames(type("ack")).size() >= upTo);
                    }
                    pause(3);
                }
            });
            // bob drops his connection without a goodbye somewhere in the middle of the stream
            await().atMost(Duration.ofSeconds(20)).until(() -> firstBobSocket.frames(type("message")).size() >= 40);
            firstBobSocket.abort();
            List<JsonNode> beforeDrop = firstBobSocket.frames(type("message"));
            long lastSeen = beforeDrop.get(beforeDrop.size() - 1).get("seq").asLong();
            pause(150);

            // ... and resumes while alice is still sending: messages keep flowing during the reconnect itself
            SocketClient secondBobSocket = bob.connectToResume(parley);
            secondBobSocket.send(json("type", "sync", "id", "resume", "since", json(conversation, lastSeen)));
            secondBobSocket.await(reply("synced", "resume"), Duration.ofSeconds(20));

            sender.get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> aliceSocket.frames(type("ack")).size() == total);
            acked.set(total);
            await().atMost(Duration.ofSeconds(20)).until(() -> maxSeq(secondBobSocket) == total);

            List<Long> resumed = seqs(secondBobSocket.frames(type("message")));
            assertThat(resumed).as("after sync: every later seq exactly once and in order")
                    .isSorted().doesNotHaveDuplicates();
            assertThat(resumed.get(0)).isEqualTo(lastSeen + 1);
            assertThat(resumed).hasSize((int) (total - lastSeen));

            TreeSet<Long> union = new TreeSet<>(seqs(beforeDrop));
            union.addAll(resumed);
            assertThat(union).as("every seq from 1 to N after dedupe").hasSize(total);
            assertThat(union.first()).isEqualTo(1L);
            assertThat(union.last()).isEqualTo((long) total);

            // and then it keeps receiving live messages
            aliceSocket.send(json("type", "send", "id", "live", "conversationId", conversation, "text", "still live"));
            JsonNode live = secondBobSocket.await(type("message").and(f -> f.get("seq").asLong() == total + 1));
            assertThat(live.get("text").asText()).isEqualTo("still live");
            secondBobSocket.close();
        }
        assertThat(acked.get()).isEqualTo(total);
    }

    @Test
    void messagesSentWhileAUserHadNoConnectionArriveOnItsNextSyncAndStayUnreadUntilRead() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        for (int i = 1; i <= 5; i++) {
            assertThat(alice.call("POST", "/api/conversations/" + conversation + "/messages",
                    json("clientMsgId", "o" + i, "text", "while you were away " + i)).status()).isEqualTo(201);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> unread(bob, conversation) == 5);

        try (SocketClient bobSocket = bob.connect(parley);
             SocketClient aliceSocket = alice.connect(parley)) {
            bobSocket.send(json("type", "sync", "id", "first"));
            bobSocket.await(reply("synced", "first"));
            assertThat(seqs(bobSocket.frames(type("message")))).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(unread(bob, conversation)).as("received is not read").isEqualTo(5);

            bobSocket.send(json("type", "delivered", "id", "d", "conversationId", conversation, "upToSeq", 5));
            bobSocket.await(reply("ok", "d"));
            aliceSocket.await(type("receipt").and(f -> "delivered".equals(f.get("kind").asText())
                    && f.get("upToSeq").asLong() == 5 && bob.userId.equals(f.get("userId").asText())));
            bobSocket.send(json("type", "read", "id", "r", "conversationId", conversation, "upToSeq", 5));
            bobSocket.await(reply("ok", "r"));
            aliceSocket.await(type("receipt").and(f -> "read".equals(f.get("kind").asText())
                    && f.get("upToSeq").asLong() == 5));
            await().atMost(Duration.ofSeconds(10)).until(() -> unread(bob, conversation) == 0);

            // a sync naming no positions after reading sends nothing more
            bobSocket.send(json("type", "sync", "id", "second"));
            bobSocket.await(reply("synced", "second"));
            assertThat(bobSocket.frames(type("message"))).hasSize(5);
        }
    }

    static long unread(ParleyClient client, String conversation) {
        for (JsonNode row : client.call("GET", "/api/conversations", null).body()) {
            if (conversation.equals(row.get("conversationId").asText())) {
                return row.get("unread").asLong();
            }
        }
        return -1;
    }

    static long maxSeq(SocketClient socket) {
        return seqs(socket.frames(type("message"))).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    static List<Long> seqs(List<JsonNode> frames) {
        return frames.stream().map(f -> f.get("seq").asLong()).toList();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
