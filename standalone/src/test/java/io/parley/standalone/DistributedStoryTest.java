package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.parley.testsupport.PostgresSchema;
import io.parley.testsupport.RequiredServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The distributed story on what runs on every dev and CI machine: the PostgreSQL event store (a fresh schema per
 * run) with the embedded SQL read store and tracking tokens in the same schema, commands over HTTP
 * ({@code parley.command-bus=http}), presence and typing through Redis (a key prefix per run), and the Redis nudge
 * waking every process's event store after a commit ({@code parley.event-nudge.mode=redis}).
 * <p>
 * Skipped when PostgreSQL (127.0.0.1:5432, database {@code test}) or Redis (127.0.0.1:6379) is unreachable, unless
 * {@code PARLEY_REQUIRE_SERVICES=true}. {@code -Dparley.test.nudge=none} runs it without the nudge, for comparison
 * of the printed cross-node latency.
 */
class DistributedStoryTest extends DistributedStories {

    private static final String REDIS = "redis://127.0.0.1:6379";

    @RegisterExtension
    static final PostgresSchema postgres = new PostgresSchema("dist");

    private final String nudge = System.getProperty("parley.test.nudge", "redis");

    @Override
    protected String eventTransport() {
        return "JDBC event store on PostgreSQL, event nudge " + nudge;
    }

    @Override
    protected Deployment deploy() {
        requireRedis();
        String redisPrefix = "parley-test-" + UUID.randomUUID();
        closeAfter(() -> deleteRedisKeys(REDIS, redisPrefix));
        List<String> common = List.of(
                "spring.datasource.url=" + postgres.jdbcUrl(),
                "spring.datasource.username=" + postgres.user(),
                "spring.datasource.password=",
                "spring.datasource.hikari.maximum-pool-size=6",
                "parley.internal.secret=" + UUID.randomUUID(),
                "parley.redis.uri=" + REDIS,
                "parley.redis.key-prefix=" + redisPrefix,
                "parley.event-nudge.mode=" + nudge);
        List<String> push = List.of(
                // the latency measurement sends at one user's default limit; leave it headroom
                "parley.limits.sends-per-second=200", "parley.limits.frames-per-second=400",
                // how long a read waits for the stopped query side below before the edge gives up on it
                "parley.query.consistency-wait=2s");
        return new Deployment(common, true, List.of(),
                () -> projectionsRunning(postgres.jdbcUrl(), postgres.user()), push);
    }

    /**
     * Issue 18: every process answers its probes, the push nodes on their own port (open), the query side on its
     * management port, which also serves the Prometheus scrape with the projections' positions.
     */
    @Test
    void everyProcessAnswersItsProbesAndTheQuerySideItsScrape() {
        ParleyClient alice = ParleyClient.signUp(node1, "alice");
        ParleyClient bob = ParleyClient.signUp(node2, "bob");
        send(alice, alice.openDirectWith(bob), "counted");
        for (RunningParley node : List.of(node1, node2)) {
            Scrape ready = Scrape.of(node.http() + "/actuator/health/readiness", null);
            assertThat(ready.status).as(node.http()).isEqualTo(200);
            assertThat(ready.text).isEqualTo("{\"status\":\"UP\"}");
            assertThat(Scrape.of(node.http() + "/actuator/prometheus", null).status).as("ADMIN only").isEqualTo(401);
        }
        String management = "http://127.0.0.1:" + querySideManagementPort;
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Scrape.of(management + "/actuator/health/readiness", null).status == 200);
        Scrape scrape = Scrape.of(management + "/actuator/prometheus", null);
        assertThat(scrape.status).isEqualTo(200);
        assertThat(scrape.value("parley_projection_position", "processor=\"conversation-projection\""))
                .isPositive();
        assertThat(scrape.has("eventProcessor_latency")).isTrue();
    }

    /**
     * Issue 12, input 7: with the query side stopped, acknowledged messages are not in the read model; a resuming
     * client still gets them (read from the event store), is told to sync again instead of a silent {@code synced},
     * keeps receiving live messages, and a later sync on the same socket sends what it asks for again.
     */
    @Test
    void aSyncWhileTheQuerySideIsDownMissesNothingAcknowledgedAndSaysSo() throws Exception {
        ParleyClient alice = ParleyClient.signUp(node1, "alice");
        ParleyClient bob = ParleyClient.signUp(node2, "bob");
        String conversation = alice.openDirectWith(bob);
        for (int i = 1; i <= 3; i++) {
            send(alice, conversation, "before " + i);
        }
        try (SocketClient first = bob.connect(node2)) {
            first.send(json("type", "sync", "id", "s0", "since", json(conversation, 0)));
            first.await(reply("synced", "s0"));
        }

        querySide.process.destroy();
        assertThat(querySide.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (int i = 4; i <= 8; i++) {
            send(alice, conversation, "while the read side is down " + i);
        }
        try (SocketClient socket = bob.connectToResume(node2)) {
            socket.send(json("type", "sync", "id", "s1", "since", json(conversation, 3)));
            JsonNode answer = socket.await(f -> "s1".equals(f.path("id").asText()), Duration.ofSeconds(30));
            assertThat(answer.get("type").asText()).as("not a silent synced").isEqualTo("error");
            assertThat(answer.get("code").asText()).isEqualTo("UNAVAILABLE");
            assertThat(seqs(socket, conversation)).containsExactly(4L, 5L, 6L, 7L, 8L);

            for (int i = 9; i <= 11; i++) {
                send(alice, conversation, "live " + i);
            }
            socket.await(type("message").and(f -> f.get("seq").asLong() == 11), Duration.ofSeconds(20));

            querySide = startQuerySide();
            await().atMost(Duration.ofSeconds(60)).until(() -> bob.call("GET",
                    "/api/conversations/" + conversation + "/messages", null).status() == 200);

            socket.send(json("type", "sync", "id", "s2", "since", json(conversation, 3)));
            socket.await(reply("synced", "s2"), Duration.ofSeconds(30));
            List<Long> seqs = seqs(socket, conversation);
            assertThat(seqs.subList(8, seqs.size())).as("the second sync, on the same socket")
                    .containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        }
    }

    /**
     * Issue 18: with the command side down, a push node answers sends with {@code UNAVAILABLE} and a {@code retryAfter}
     * hint (503 with {@code Retry-After} on HTTP), not {@code INTERNAL}, and its readiness is {@code DOWN} (no
     * command-side node answers; liveness stays up); once it is back, the node is ready again and the same sends,
     * retried with their ids, are stored once.
     */
    @Test
    void whileTheCommandSideIsDownSendsAreAnsweredUnavailableWithARetryHint() throws Exception {
        ParleyClient alice = ParleyClient.signUp(node1, "alice");
        ParleyClient bob = ParleyClient.signUp(node2, "bob");
        String conversation = alice.openDirectWith(bob);
        stopCommandSide();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> status(node1, "/actuator/health/readiness") == 503);
            assertThat(status(node1, "/actuator/health/liveness")).isEqualTo(200);
            try (SocketClient socket = alice.connect(node1)) {
                for (int i = 1; i <= 3; i++) {
                    socket.send(json("type", "send", "id", "u" + i, "conversationId", conversation, "text", "u" + i));
                    JsonNode error = socket.await(reply("error", "u" + i), Duration.ofSeconds(30));
                    assertThat(error.get("code").asText()).as(error.toString()).isEqualTo("UNAVAILABLE");
                    assertThat(error.get("retryAfter").asLong()).as(error.toString()).isEqualTo(2);
                    assertThat(error.get("message").asText()).doesNotContain("127.0.0.1").doesNotContain("Exception");
                }
            }
            java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(node2.http() + "/api/conversations/"
                                    + conversation + "/messages"))
                            .header("Authorization", "Bearer " + bob.token)
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                    json("clientMsgId", "h1", "text", "over http").toString()))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).contains("2");
            JsonNode body = ParleyClient.JSON.readTree(answer.body());
            assertThat(body.get("code").asText()).isEqualTo("UNAVAILABLE");
            assertThat(body.get("retryAfter").asLong()).isEqualTo(2);
        } finally {
            startCommandSide();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> status(node1, "/actuator/health/readiness") == 200);
        try (SocketClient socket = alice.connect(node1)) {
            // as the client would: again, with the same id, after the hint
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                int mark = socket.receivedCount();
                socket.send(json("type", "send", "id", "u1", "conversationId", conversation, "text", "u1"));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (System.nanoTime() < deadline) {
                    for (JsonNode frame : socket.receivedSince(mark)) {
                        if ("u1".equals(frame.path("id").asText())) {
                            return "ack".equals(frame.path("type").asText());
                        }
                    }
                    pause(50);
                }
                return false;
            });
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> bob.call("POST",
                "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", "h1", "text", "over http")).status() == 201);
        assertThat(bob.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", "h1", "text", "over http")).body().get("seq").asLong())
                .as("the retry is the same message").isEqualTo(2);
    }

    /**
     * Issue 18: a rolling restart of one of the two push nodes while both users send steadily. Bob's node gets SIGTERM:
     * it answers what it took, closes his socket with 1012 and ends; bob does what the web client does (reconnect to
     * the live node, {@code sync} from the last seq he saw, resend what has no ack with the same ids) and moves back to
     * the restarted node at the end. Nothing acknowledged is lost, nothing is stored twice, and both users end with
     * every message.
     */
    @Test
    void aRollingRestartOfAPushNodeLosesNothingAcknowledged() throws Exception {
        ParleyClient alice = ParleyClient.signUp(node1, "alice");
        ParleyClient bob = ParleyClient.signUp(node2, "bob");
        String conversation = alice.openDirectWith(bob);
        int each = 120;
        Steady aliceClient = new Steady(alice, conversation, "a").open(node1, false);
        Steady bobClient = new Steady(bob, conversation, "b").open(node2, false);
        java.util.concurrent.CompletableFuture<Duration> restart = null;
        for (int i = 1; i <= each; i++) {
            aliceClient.send(i);
            bobClient.send(i);
            if (i == 30) {
                restart = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return restartNode2();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            bobClient.reconnectIfClosed(node1); // the load balancer sends him to the node still running
            pause(40);
        }
        Duration stopTook = restart.get(180, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            bobClient.reconnectIfClosed(node1);
            return bobClient.closes.size() > 0;
        });
        int total = 2 * each;
        await().atMost(Duration.ofSeconds(60)).until(() -> aliceClient.acks().size() == each
                && bobClient.acks().size() == each);
        assertThat(bobClient.closes.get(0)).as("bob's socket on the restarted node").isEqualTo(1012);
        assertThat(pushLog("push-2")).contains("told to reconnect (1012 service restart)");

        // bob moves back to the restarted node and resumes there
        bobClient.reconnect(node2);
        List<Long> all = java.util.stream.LongStream.rangeClosed(1, total).boxed().toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> aliceClient.seen().size() == total
                && bobClient.seen().size() == total);
        assertThat(aliceClient.seen()).as("alice has every message").containsExactlyElementsOf(all);
        assertThat(bobClient.seen()).as("bob has every message").containsExactlyElementsOf(all);

        java.util.Map<String, Long> acked = new java.util.HashMap<>(aliceClient.acks());
        acked.putAll(bobClient.acks());
        assertThat(new java.util.TreeSet<>(acked.values())).as("one seq per send, 1..N").containsExactlyElementsOf(all);
        ParleyClient.Response page = alice.call("GET", "/api/conversations/" + conversation
                + "/messages?after=0&limit=200", null);
        List<JsonNode> history = new java.util.ArrayList<>();
        page.body().get("messages").forEach(history::add);
        ParleyClient.Response rest = alice.call("GET", "/api/conversations/" + conversation
                + "/messages?after=200&limit=200", null);
        rest.body().get("messages").forEach(history::add);
        assertThat(history).as("stored once each").hasSize(total);
        history.forEach(m -> assertThat(acked.get(m.get("text").asText().substring("text ".length())))
                .as("%s stored at its acked seq", m.get("text").asText()).isEqualTo(m.get("seq").asLong()));
        System.out.printf("Rolling restart of push-2 under steady sending (%d messages): SIGTERM to exit %d ms; "
                        + "bob's sockets closed with %s; resent after reconnecting: %d%n", total, stopTook.toMillis(),
                bobClient.closes, bobClient.resent);
        aliceClient.closeAll();
        bobClient.closeAll();
    }

    /**
     * A client sending steadily that does what the web client does when its socket closes: reconnect (here: to the
     * node given), {@code sync} from the last seq seen, resend every send without an ack with the same id.
     */
    private static final class Steady {
        final ParleyClient user;
        final String conversation;
        final String prefix;
        final List<SocketClient> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.Map<String, String> sent = new java.util.concurrent.ConcurrentHashMap<>();
        final List<Integer> closes = new java.util.concurrent.CopyOnWriteArrayList<>();
        int resent;
        SocketClient current;

        Steady(ParleyClient user, String conversation, String prefix) {
            this.user = user;
            this.conversation = conversation;
            this.prefix = prefix;
        }

        Steady open(RunningParley node, boolean resume) {
            ParleyClient there = user.on(node);
            current = resume ? there.connectToResume(node) : there.connect(node);
            sockets.add(current);
            if (resume) {
                // from the last seq up to which it has everything: an ack may come ahead of others' messages before it
                java.util.SortedSet<Long> seen = seen();
                long upTo = 0;
                while (seen.contains(upTo + 1)) {
                    upTo++;
                }
                current.send(json("type", "sync", "id", "sync-" + sockets.size(), "since", json(conversation, upTo)));
            }
            return this;
        }

        void send(int i) {
            String id = prefix + i;
            sent.put(id, "text " + id);
            try {
                current.send(json("type", "send", "id", id, "conversationId", conversation, "text", "text " + id));
            } catch (RuntimeException closed) {
                // the socket is closing: resent after the reconnect
            }
        }

        synchronized void reconnectIfClosed(RunningParley node) {
            if (current.closeCode() == null && current.isOpen()) {
                return;
            }
            // Java's client marks its input closed a moment before it hands over the close frame's code (or a send
            // that failed closed the output first): wait for the code a little, as a client reacting to the close
            // event does; a socket dropped without a close frame still records none
            for (int waited = 0; current.closeCode() == null && waited < 2_000; waited += 10) {
                pause(10);
            }
            closes.add(current.closeCode());
            reconnect(node);
        }

        synchronized void reconnect(RunningParley node) {
            current.abort();
            open(node, true);
            java.util.Map<String, Long> acks = acks();
            for (var entry : sent.entrySet()) {
                if (!acks.containsKey(entry.getKey())) {
                    resent++;
                    current.send(json("type", "send", "id", entry.getKey(), "conversationId", conversation,
                            "text", entry.getValue()));
                }
            }
        }

        java.util.Map<String, Long> acks() {
            java.util.Map<String, Long> acks = new java.util.HashMap<>();
            sockets.forEach(socket -> socket.frames(type("ack"))
                    .forEach(f -> acks.put(f.get("id").asText(), f.get("seq").asLong())));
            return acks;
        }

        /** The seqs this user has: message frames received, and its own acknowledged sends. */
        java.util.SortedSet<Long> seen() {
            java.util.SortedSet<Long> seen = new java.util.TreeSet<>(acks().values());
            sockets.forEach(socket -> socket.frames(type("message")
                            .and(f -> conversation.equals(f.get("conversationId").asText())))
                    .forEach(f -> seen.add(f.get("seq").asLong())));
            return seen;
        }

        void closeAll() {
            sockets.forEach(SocketClient::abort);
        }
    }

    private static void send(ParleyClient sender, String conversation, String text) {
        assertThat(sender.sendOverHttp(conversation, text).status()).isEqualTo(201);
    }

    private static List<Long> seqs(SocketClient socket, String conversation) {
        return socket.frames(type("message").and(f -> conversation.equals(f.get("conversationId").asText())))
                .stream().map(f -> f.get("seq").asLong()).toList();
    }

    private static void requireRedis() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = new byte[7];
            int read = socket.getInputStream().read(answer);
            if (read <= 0 || !new String(answer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                RequiredServices.missing("Redis at 127.0.0.1:6379 did not answer PING", null);
            }
        } catch (IOException e) {
            RequiredServices.missing("Redis at 127.0.0.1:6379 unreachable: " + e.getMessage(), e);
        }
    }

    private static void deleteRedisKeys(String uri, String prefix) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = connection.sync().scan(cursor,
                        ScanArgs.Builder.matches(prefix + "*").limit(500));
                if (!page.getKeys().isEmpty()) {
                    connection.sync().del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } catch (RuntimeException e) {
            System.err.println("could not delete Redis keys " + prefix + "*: " + e);
        } finally {
            client.shutdown();
        }
    }

    /** The HTTP status of an anonymous GET on a push node (the probes are open to anybody). */
    private static int status(RunningParley node, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(node.http() + path)).timeout(Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
