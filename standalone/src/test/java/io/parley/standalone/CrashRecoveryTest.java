package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing acknowledged is lost: the standalone server is killed with SIGKILL while a client sends at a steady rate,
 * at several points, and started again on the same data directory. Afterwards every acknowledged message is in
 * history exactly once at the seq it was acknowledged with, seqs have no gaps, unacknowledged ones were stored at
 * most once (and exactly once after the client retried them with the same id), every message reached the other
 * member, the read models agree with the event store, and a rebuild reproduces them.
 */
class CrashRecoveryTest {

    private static final int KILLS = 3;

    @TempDir
    Path workDir;

    private final Map<String, String> sent = new LinkedHashMap<>();
    private final Map<String, Long> acked = new HashMap<>();
    private final TreeSet<Long> bobReceived = new TreeSet<>();

    @Test
    void acknowledgedMessagesSurviveSigkillExactlyOnceInOrderAndReachEveryMember() throws Exception {
        Path dataDir = workDir.resolve("data");
        ParleyProcess server = new ParleyProcess(dataDir, settings()).start();
        try {
            RunningParley target = server.asClientTarget();
            ParleyClient alice = ParleyClient.signUp(target, "alice");
            ParleyClient bob = ParleyClient.signUp(target, "bob");
            ParleyClient operator = signUpAs(target, "operator");
            String conversation = alice.openDirectWith(bob);
            AtomicInteger next = new AtomicInteger(1);

            for (int round = 1; round <= KILLS; round++) {
                target = server.asClientTarget();
                retryUnacknowledged(alice.on(target), target, conversation);
                try (SocketClient bobSocket = bob.on(target).connect(target)) {
                    bobSocket.send(json("type", "sync", "id", "s" + round,
                            "since", json(conversation, bobReceived.isEmpty() ? 0 : bobReceived.last())));
                    SocketClient aliceSocket = alice.on(target).connect(target);
                    AtomicBoolean stop = new AtomicBoolean();
                    CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> sendSteadily(aliceSocket,
                            conversation, next, stop));
                    int killAfter = acked.size() + 25 + 20 * round;
                    await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() + acks(aliceSocket).size()
                            >= killAfter);
                    server.kill();
                    stop.set(true);
                    sender.handle((ok, error) -> null).join();
                    acked.putAll(acks(aliceSocket));
                    bobSocket.frames(type("message")).forEach(f -> bobReceived.add(f.get("seq").asLong()));
                    aliceSocket.abort();
                }
                server = restart(dataDir);
                assertStoredAtMostOnce(alice.on(server.asClientTarget()), conversation, server);
            }

            target = server.asClientTarget();
            retryUnacknowledged(alice.on(target), target, conversation);
            assertThat(acked).hasSameSizeAs(sent);

            List<JsonNode> history = fullHistory(alice.on(target), conversation, sent.size());
            assertThat(history).extracting(m -> m.get("seq").asLong()).as("seq 1..N without gaps")
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, sent.size()).boxed().toList());
            Map<String, Long> seqByText = history.stream()
                    .collect(Collectors.toMap(m -> m.get("text").asText(), m -> m.get("seq").asLong()));
            assertThat(seqByText).as("each message exactly once").hasSize(sent.size());
            sent.forEach((id, text) -> assertThat(seqByText.get(text)).as("message " + id + " at its acked seq")
                    .isEqualTo(acked.get(id)));

            try (SocketClient bobSocket = bob.on(target).connect(target)) {
                bobSocket.send(json("type", "sync", "id", "final",
                        "since", json(conversation, bobReceived.isEmpty() ? 0 : bobReceived.last())));
                bobSocket.await(reply("synced", "final"), Duration.ofSeconds(30));
                bobSocket.frames(type("message")).forEach(f -> bobReceived.add(f.get("seq").asLong()));
            }
            assertThat(bobReceived).as("every message reached the other member").hasSize(sent.size());

            ParleyClient admin = operator.on(target);
            JsonNode report = admin.call("POST", "/api/admin/consistency-check", null).body();
            assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
            assertThat(report.get("messagesChecked").asLong()).isEqualTo(sent.size());

            RunningParley finalTarget = target;
            String before = fullHistory(alice.on(target), conversation, sent.size()).toString();
            String inboxBefore = alice.on(target).call("GET", "/api/conversations", null).body().toString();
            assertThat(admin.call("POST", "/api/admin/projections/conversation-projection/rebuild", null).status())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode status = admin.call("GET", "/api/admin/projections/conversation-projection", null).body();
                return status.get("caughtUp").asBoolean() && !status.get("replaying").asBoolean();
            });
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    fullHistory(alice.on(finalTarget), conversation, sent.size()).toString().equals(before));
            assertThat(alice.on(target).call("GET", "/api/conversations", null).body().toString())
                    .as("the rebuilt inbox equals the one before").isEqualTo(inboxBefore);
            assertThat(alice.on(target).call("POST", "/api/admin/consistency-check", null).status())
                    .as("operators only").isEqualTo(403);
        } catch (AssertionError | RuntimeException e) {
            System.out.println("---- server log ----\n" + server.logText());
            throw e;
        } finally {
            server.close();
        }
    }

    /** The server's settings: limits raised for the steady sender, an operator for the checks. */
    protected String[] settings() {
        return new String[] {"parley.roles.admins=operator", "parley.limits.sends-per-second=5000",
                "parley.limits.sends-burst=5000", "parley.limits.frames-per-second=5000",
                "parley.limits.frames-burst=5000", "parley.limits.http-per-second=5000",
                "parley.limits.http-burst=5000"};
    }

    private ParleyProcess restart(Path dataDir) {
        return new ParleyProcess(dataDir, settings()).start();
    }

    private void sendSteadily(SocketClient socket, String conversation, AtomicInteger next, AtomicBoolean stop) {
        while (!stop.get()) {
            String id = "k" + next.getAndIncrement();
            String text = "steady message " + id;
            synchronized (sent) {
                sent.put(id, text);
            }
            try {
                socket.send(json("type", "send", "id", id, "conversationId", conversation, "text", text));
                Thread.sleep(4);
            } catch (Exception connectionGone) {
                return;
            }
        }
    }

    /** After a restart, and before any retry: a message that was never acknowledged is stored once or not at all. */
    private void assertStoredAtMostOnce(ParleyClient alice, String conversation, ParleyProcess server) {
        // the projection catches up after the restart: wait until it has at least everything acknowledged
        List<JsonNode> history;
        try {
            history = fullHistory(alice, conversation, acked.size());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // seen once in CI (2026-12-02): the projection's token row stayed locked after the restart; say why
            throw new AssertionError("the history did not reach " + acked.size() + " messages after the restart;"
                    + " the server's threads then:\n" + server.threadDump(), e);
        }
        Map<String, Long> counts = history.stream()
                .collect(Collectors.groupingBy(m -> m.get("text").asText(), Collectors.counting()));
        assertThat(counts.values()).as("no message stored twice").allMatch(count -> count == 1);
        acked.forEach((id, seq) -> assertThat(counts).as("acked " + id + " survived the kill").containsKey(sent.get(id)));
    }

    private void retryUnacknowledged(ParleyClient alice, RunningParley target, String conversation) {
        List<String> pending;
        synchronized (sent) {
            pending = sent.keySet().stream().filter(id -> !acked.containsKey(id)).toList();
        }
        if (pending.isEmpty()) {
            return;
        }
        try (SocketClient socket = alice.connect(target)) {
            for (String id : pending) {
                socket.send(json("type", "send", "id", id, "conversationId", conversation, "text", sent.get(id)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acks(socket).keySet().containsAll(pending));
            acked.putAll(acks(socket));
        }
    }

    private static Map<String, Long> acks(SocketClient socket) {
        Map<String, Long> acks = new HashMap<>();
        socket.frames(type("ack")).forEach(f -> acks.put(f.get("id").asText(), f.get("seq").asLong()));
        return acks;
    }

    private static List<JsonNode> fullHistory(ParleyClient client, String conversation, int atLeast) {
        return client.fullHistory(conversation, atLeast, Duration.ofSeconds(30));
    }

    private static ParleyClient signUpAs(RunningParley target, String username) {
        return ParleyClient.signUpExactly(target, username);
    }
}
