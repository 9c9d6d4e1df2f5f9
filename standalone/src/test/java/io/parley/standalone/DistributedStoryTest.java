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
 * (the latency is then printed, not asserted).
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
    protected boolean assertLatency() {
        return !"none".equals(nudge);
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

    private static void send(ParleyClient sender, String conversation, String text) {
        assertThat(sender.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", UUID.randomUUID().toString(), "text", text)).status()).isEqualTo(201);
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
}
