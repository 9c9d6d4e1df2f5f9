package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A client that stops reading cannot hold up anybody else, nor make the server buffer without bound. */
class SlowAndDeadClientsTest {

    @TempDir
    Path dataDir;

    @Test
    void aClientThatStopsReadingIsClosedAs4008WhileOthersKeepReceivingAndItResumesWithSync() {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.push.outbound-buffer=32",
                "parley.limits.sends-per-second=100000", "parley.limits.sends-burst=100000",
                "parley.limits.frames-per-second=100000", "parley.limits.frames-burst=100000")) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            ParleyClient carol = ParleyClient.signUp(parley, "carol");
            String group = alice.call("POST", "/api/conversations/groups",
                    json("name", "Flood", "members", List.of(bob.userId, carol.userId))).body()
                    .get("conversationId").asText();
            int total = 1200;
            String text = "x".repeat(3900);
            try (SocketClient aliceSocket = alice.connect(parley);
                 SocketClient carolSocket = carol.connect(parley)) {
                SocketClient slowBob = SocketClient.connectPaused(parley.ws(), bob.token);
                for (int i = 1; i <= total; i++) {
                    aliceSocket.send(json("type", "send", "id", "f" + i, "conversationId", group, "text", text));
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> aliceSocket.frames(type("ack")).size() == total);
                // carol, reading normally, has every message although bob has read (almost) nothing
                await().atMost(Duration.ofSeconds(30)).until(() -> carolSocket.frames(type("message")).size() == total);
                assertThat(ResumeTest.seqs(carolSocket.frames(type("message")))).isSorted().doesNotHaveDuplicates();

                // bob's socket was closed as a slow consumer; when he reads again he finds the close code
                slowBob.resume();
                await().atMost(Duration.ofSeconds(20)).until(() -> slowBob.closeCode() != null);
                assertThat(slowBob.closeCode()).isEqualTo(4008);
                List<Long> beforeClose = ResumeTest.seqs(slowBob.frames(type("message")));
                assertThat(beforeClose.size()).as("the server buffered only a bounded amount").isLessThan(total);

                // ... and resumes with sync, losing nothing
                long lastSeen = beforeClose.isEmpty() ? 0 : beforeClose.get(beforeClose.size() - 1);
                try (SocketClient bobAgain = bob.connect(parley)) {
                    bobAgain.send(json("type", "sync", "id", "back", "since", json(group, lastSeen)));
                    bobAgain.await(reply("synced", "back"), Duration.ofSeconds(30));
                    TreeSet<Long> all = new TreeSet<>(beforeClose);
                    all.addAll(ResumeTest.seqs(bobAgain.frames(type("message"))));
                    assertThat(all).hasSize(total);
                    assertThat(all.last()).isEqualTo((long) total);
                }
            }
        }
    }

    @Test
    void heartbeatsFindADeadConnectionAndMarkTheUserOffline() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.push.heartbeat-interval=200ms",
                "parley.push.idle-timeout=1s")) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            alice.openDirectWith(bob);
            try (SocketClient aliceSocket = alice.connect(parley);
                 SilentPeer deadBob = SilentPeer.connect(parley.port, bob.token)) {
                aliceSocket.await(type("presence").and(f -> bob.userId.equals(f.get("userId").asText())
                        && f.get("online").asBoolean()));
                JsonNode offline = aliceSocket.await(type("presence").and(f -> bob.userId.equals(f.get("userId").asText())
                        && !f.get("online").asBoolean()), Duration.ofSeconds(10));
                assertThat(offline.get("lastSeen").isNull()).isFalse();
                await().atMost(Duration.ofSeconds(5)).until(deadBob::closedByServer);
                // a live client answers pings (the JDK client does so by itself) and outlives the idle timeout
                sleep(1500);
                aliceSocket.send(json("type", "ping", "id", "alive"));
                aliceSocket.await(reply("pong", "alive"));
                assertThat(aliceSocket.isOpen()).isTrue();
            }
        }
    }

    @Test
    void sendsAndConnectionsAreLimitedPerUser() {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.limits.sends-per-second=1",
                "parley.limits.sends-burst=5", "parley.limits.connections-per-user=2")) {
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            try (SocketClient first = alice.connect(parley); SocketClient second = alice.connect(parley)) {
                for (int i = 1; i <= 8; i++) {
                    first.send(json("type", "send", "id", "s" + i, "conversationId", conversation, "text", "n" + i));
                }
                JsonNode limited = first.await(reply("error", "s8"));
                assertThat(limited.get("code").asText()).isEqualTo("RATE_LIMITED");
                assertThat(first.frames(type("ack"))).hasSizeLessThanOrEqualTo(6);
                ParleyClient.Response http = alice.call("POST", "/api/conversations/" + conversation + "/messages",
                        json("clientMsgId", "h1", "text", "over http too"));
                assertThat(http.status()).isEqualTo(429);
                assertThat(http.body().get("code").asText()).isEqualTo("RATE_LIMITED");

                SocketClient third = alice.connect(parley);
                assertThat(third.await(type("error")).get("code").asText()).isEqualTo("RATE_LIMITED");
                await().atMost(Duration.ofSeconds(5)).until(() -> third.closeCode() != null);
                assertThat(third.closeCode()).isEqualTo(1008);
                second.send(json("type", "ping", "id", "ok"));
                second.await(reply("pong", "ok"));
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
