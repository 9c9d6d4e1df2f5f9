package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.parley.command.CommandSideApplication;
import io.parley.query.QuerySideApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

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

    static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String REDIS = "redis://127.0.0.1:6379";

    private final String nudge = System.getProperty("parley.test.nudge", "redis");
    private String schema;
    private String redisPrefix;
    private List<String> common;
    private Child querySide;

    @Override
    protected String eventTransport() {
        return "JDBC event store on PostgreSQL, event nudge " + nudge;
    }

    @Override
    protected boolean assertLatency() {
        return !"none".equals(nudge);
    }

    @BeforeAll
    void startCluster() throws Exception {
        requireServices();
        work = Files.createTempDirectory("parley-distributed");
        schema = "dist_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        redisPrefix = "parley-test-" + UUID.randomUUID();
        new JdbcTemplate(dataSource(null)).execute("CREATE SCHEMA " + schema);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopChildren));

        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        common = List.of(
                "spring.datasource.url=" + PG + "?currentSchema=" + schema,
                "spring.datasource.username=postgres",
                "spring.datasource.password=",
                "spring.datasource.hikari.maximum-pool-size=6",
                "parley.internal.secret=" + UUID.randomUUID(),
                "parley.redis.uri=" + REDIS,
                "parley.redis.key-prefix=" + redisPrefix,
                "parley.event-nudge.mode=" + nudge);
        int commandPort = freePort();
        try {
            Child command = start("command-side", CommandSideApplication.class, common,
                    "parley.command-endpoint.address=127.0.0.1", "parley.command-endpoint.port=" + commandPort);
            querySide = start("query-side", QuerySideApplication.class, common);
            awaitReady(command, () -> httpOk("http://127.0.0.1:" + commandPort + "/internal/health"));
            awaitReady(querySide, this::projectionsRunning);
            List<String> push = List.of("parley.command-bus=http",
                    "parley.command-side.url=http://127.0.0.1:" + commandPort,
                    "parley.presence=redis",
                    "parley.auth.jwt-secret=" + Base64.getEncoder().encodeToString(key),
                    // the latency measurement sends at one user's default limit; leave it headroom
                    "parley.limits.sends-per-second=200", "parley.limits.frames-per-second=400",
                    // how long a read waits for the stopped query side below before the edge gives up on it
                    "parley.query.consistency-wait=2s");
            // together: each migrates the edge's tables on first start, under Flyway's lock
            List<RunningParley> nodes = startPushNodes(common, push, "push-1", "push-2");
            node1 = nodes.get(0);
            node2 = nodes.get(1);
        } catch (Throwable e) {
            printLogs();
            throw e;
        }
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

            querySide = start("query-side", QuerySideApplication.class, common);
            awaitReady(querySide, this::projectionsRunning);
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

    @AfterAll
    void stopCluster() {
        stopChildren();
        if (schema != null) {
            try {
                new JdbcTemplate(dataSource(null)).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (RuntimeException e) {
                System.err.println("could not drop schema " + schema + ": " + e);
            }
        }
        if (redisPrefix != null) {
            deleteRedisKeys(REDIS, redisPrefix);
        }
    }

    private boolean projectionsRunning() {
        try {
            Integer claimed = new JdbcTemplate(dataSource(schema)).queryForObject(
                    "SELECT count(*) FROM tokenentry WHERE processorname = 'conversation-projection' AND owner IS NOT NULL",
                    Integer.class);
            return claimed != null && claimed > 0;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static void requireServices() {
        String missing = null;
        try (Connection ignored = dataSource(null).getConnection()) {
            // reachable
        } catch (Exception e) {
            missing = "PostgreSQL at " + PG + " unreachable: " + e.getMessage();
        }
        if (missing == null) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = new byte[7];
                int read = socket.getInputStream().read(answer);
                if (read <= 0 || !new String(answer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    missing = "Redis at 127.0.0.1:6379 did not answer PING";
                }
            } catch (IOException e) {
                missing = "Redis at 127.0.0.1:6379 unreachable: " + e.getMessage();
            }
        }
        if (missing != null) {
            if ("true".equalsIgnoreCase(System.getenv("PARLEY_REQUIRE_SERVICES"))) {
                fail(missing + " (required: PARLEY_REQUIRE_SERVICES=true)");
            }
            Assumptions.assumeTrue(false, missing);
        }
    }

    /** PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres}; in {@code schema} unless null. */
    static PGSimpleDataSource dataSource(String schema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(PG);
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        if (schema != null) {
            ds.setCurrentSchema(schema);
        }
        return ds;
    }

    static void deleteRedisKeys(String uri, String prefix) {
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
