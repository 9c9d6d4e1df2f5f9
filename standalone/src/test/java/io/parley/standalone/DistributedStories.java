package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.api.wire.CloseCodes;
import io.parley.command.CommandSideApplication;
import io.parley.push.PushApplication;
import io.parley.query.QuerySideApplication;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The distributed story, whatever carries it: Parley as separate processes, each its own JVM started from the test's
 * class path (one command side, one query side, two push nodes). Users on different push nodes chat and see receipts,
 * presence and typing; a user who reconnects to the other node resumes with {@code sync} and misses nothing;
 * cross-node delivery latency is measured and printed. Subclasses start the services of the configuration under test
 * and describe it ({@link #deploy()}: {@link DistributedStoryTest} PostgreSQL + Redis, here; the Testcontainers ones
 * where Docker exists); this class starts and stops the processes. The children's logs are printed when a test or the
 * start-up fails; the children are always stopped, then the services.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DistributedStories {

    private final List<Child> children = new ArrayList<>();
    private final Deque<AutoCloseable> services = new ArrayDeque<>();
    private Deployment deployment;
    private Path work;
    private final Map<String, Child> pushNodes = new ConcurrentHashMap<>();
    private int commandPort;
    private Child commandSide;
    private List<String> pushProperties;
    protected Child querySide;
    protected RunningParley node1;
    protected RunningParley node2;
    /** The query side's management port (health, readiness, Prometheus): it has no web server of its own. */
    protected int querySideManagementPort;

    /**
     * How the processes of one configuration are set up.
     *
     * @param common           properties of every process ({@code name=value})
     * @param commandsOverHttp whether the push nodes send commands to the command side's own HTTP endpoint
     *                         ({@code parley.command-bus=http}); otherwise Axon Server routes them
     * @param querySide        further properties of the query side
     * @param querySideReady   whether the query side's projections run
     * @param push             further properties of the push nodes
     */
    protected record Deployment(List<String> common, boolean commandsOverHttp, List<String> querySide,
                                BooleanSupplier querySideReady, List<String> push) {
    }

    /**
     * Starts the services the configuration needs (registering each with {@link #closeAfter}) or skips the class
     * when they are missing, and describes the processes to start on them.
     */
    protected abstract Deployment deploy() throws Exception;

    /** Whether to hold the measured cross-node latency to the numbers promised for the Redis nudge. */
    /** How the deployment under test carries events across processes (for the printed figures). */
    protected abstract String eventTransport();

    @RegisterExtension
    final TestWatcher logsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            printLogs();
        }
    };

    @Test
    void usersOnDifferentPushNodesChatWithReceiptsPresenceAndTyping() {
        ParleyClient alice = ParleyClient.signUp(node1, "alice");
        ParleyClient bob = ParleyClient.signUp(node2, "bob");
        String conversation = alice.openDirectWith(bob);
        assertThat(bob.openDirectWith(alice)).as("the same id from either node").isEqualTo(conversation);

        try (SocketClient aliceSocket = alice.connect(node1)) {
            SocketClient bobSocket = bob.connect(node2);
            JsonNode online = aliceSocket.await(type("presence").and(f -> bob.userId.equals(f.get("userId").asText())
                    && f.get("online").asBoolean()));
            assertThat(online.get("online").asBoolean()).isTrue();
            JsonNode profile = alice.call("GET", "/api/users/" + bob.userId, null).body();
            assertThat(profile.get("online").asBoolean()).as("node 1 knows bob is online on node 2").isTrue();

            // alice (node 1) -> bob (node 2)
            aliceSocket.send(json("type", "send", "id", "a1", "conversationId", conversation, "text", "hi bob"));
            assertThat(aliceSocket.await(reply("ack", "a1")).get("seq").asLong()).isEqualTo(1);
            JsonNode message = bobSocket.await(type("message").and(f -> f.get("seq").asLong() == 1));
            assertThat(message.get("text").asText()).isEqualTo("hi bob");
            assertThat(message.get("senderId").asText()).isEqualTo(alice.userId);

            // receipts from node 2 reach node 1
            bobSocket.send(json("type", "delivered", "id", "d1", "conversationId", conversation, "upToSeq", 1));
            aliceSocket.await(type("receipt").and(f -> "delivered".equals(f.get("kind").asText())
                    && bob.userId.equals(f.get("userId").asText()) && f.get("upToSeq").asLong() == 1));
            bobSocket.send(json("type", "read", "id", "r1", "conversationId", conversation, "upToSeq", 1));
            aliceSocket.await(type("receipt").and(f -> "read".equals(f.get("kind").asText())
                    && f.get("upToSeq").asLong() == 1));

            // typing crosses nodes, to the other member only
            bobSocket.send(json("type", "typing", "conversationId", conversation));
            JsonNode typing = aliceSocket.await(type("typing"));
            assertThat(typing.get("userId").asText()).isEqualTo(bob.userId);
            assertThat(typing.get("conversationId").asText()).isEqualTo(conversation);

            // bob (node 2) -> alice (node 1), over HTTP this time
            ParleyClient.Response sent = bob.call("POST", "/api/conversations/" + conversation + "/messages",
                    json("clientMsgId", "b1", "text", "hi alice"));
            assertThat(sent.status()).isEqualTo(201);
            assertThat(sent.body().get("seq").asLong()).isEqualTo(2);
            aliceSocket.await(type("message").and(f -> f.get("seq").asLong() == 2
                    && "hi alice".equals(f.get("text").asText())));

            // rule violations keep their meaning across the process boundary
            ParleyClient mallory = ParleyClient.signUp(node2, "mallory");
            ParleyClient.Response forbidden = mallory.call("POST", "/api/conversations/" + conversation + "/messages",
                    json("clientMsgId", "m1", "text", "let me in"));
            assertThat(forbidden.status()).as(forbidden.toString()).isIn(403, 404);
            // and so do the command side's own: the same status, code and message as in one process, socket included
            ParleyClient.Response notMine = bob.call("PATCH", "/api/conversations/" + conversation + "/messages/1",
                    json("text", "hi bob!"));
            assertThat(notMine.status()).as(notMine.toString()).isEqualTo(403);
            assertThat(notMine.body())
                    .isEqualTo(json("code", "FORBIDDEN", "message", "only the sender may edit a message"));
            ParleyClient.Response missing = bob.call("PATCH", "/api/conversations/" + conversation + "/messages/9",
                    json("text", "x"));
            assertThat(missing.status()).as(missing.toString()).isEqualTo(404);
            assertThat(missing.body())
                    .isEqualTo(json("code", "NOT_FOUND", "message", "there is no message 9 in this conversation"));
            bobSocket.send(json("type", "read", "id", "r9", "conversationId", conversation, "upToSeq", 9));
            JsonNode beyond = bobSocket.await(reply("error", "r9"));
            assertThat(beyond.get("code").asText()).isEqualTo("BAD_FRAME");
            assertThat(beyond.get("message").asText()).isEqualTo("upToSeq 9 is beyond the last message (2)");
            assertThat(aliceSocket.frames(type("typing"))).hasSize(1);
            assertThat(bobSocket.frames(type("typing"))).as("not echoed to the typist").isEmpty();

            // bob leaves node 2: alice on node 1 sees him offline with a last-seen time
            bobSocket.close();
            JsonNode offline = aliceSocket.await(type("presence").and(f -> bob.userId.equals(f.get("userId").asText())
                    && !f.get("online").asBoolean()));
            assertThat(offline.get("lastSeen").asText()).endsWith("Z");
            JsonNode after = alice.call("GET", "/api/users/" + bob.userId, null).body();
            assertThat(after.get("online").asBoolean()).isFalse();
            assertThat(after.get("lastSeen").isNull()).isFalse();
        }
    }

    @Test
    void aUserWhoReconnectsToTheOtherNodeResumesWithSyncAndMissesNothing() throws Exception {
        ParleyClient alice = ParleyClient.signUp(node1, "alice");
        ParleyClient bob = ParleyClient.signUp(node2, "bob");
        String conversation = alice.openDirectWith(bob);
        int total = 60;

        SocketClient firstBobSocket = bob.connect(node2);
        try (SocketClient aliceSocket = alice.connect(node1)) {
            Thread sender = new Thread(() -> {
                for (int i = 1; i <= total; i++) {
                    aliceSocket.send(json("type", "send", "id", "r" + i, "conversationId", conversation,
                            "text", "message " + i));
                    pause(15);
                }
            });
            sender.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> firstBobSocket.frames(type("message")).size() >= 10);
            firstBobSocket.abort();
            List<JsonNode> beforeDrop = firstBobSocket.frames(type("message"));
            long lastSeen = beforeDrop.get(beforeDrop.size() - 1).get("seq").asLong();
            pause(100);

            // bob comes back on the other node while alice is still sending
            ParleyClient bobOnNode1 = bob.on(node1);
            SocketClient secondBobSocket = bobOnNode1.connectToResume(node1);
            secondBobSocket.send(json("type", "sync", "id", "resume", "since", json(conversation, lastSeen)));
            secondBobSocket.await(reply("synced", "resume"), Duration.ofSeconds(20));
            sender.join(TimeUnit.SECONDS.toMillis(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> aliceSocket.frames(type("ack")).size() == total);
            await().atMost(Duration.ofSeconds(20)).until(() -> maxSeq(secondBobSocket) == total);

            List<Long> resumed = seqs(secondBobSocket.frames(type("message")));
            assertThat(resumed).as("after sync on the other node: every later seq once, in order")
                    .isSorted().doesNotHaveDuplicates();
            assertThat(resumed.get(0)).isEqualTo(lastSeen + 1);
            TreeSet<Long> union = new TreeSet<>(seqs(beforeDrop));
            union.addAll(resumed);
            assertThat(union).as("every seq from 1 to N after dedupe").hasSize(total);
            secondBobSocket.close();
        }
    }

    /**
     * Revocation across push nodes: the nodes share the edge's database (token versions, ended sessions), and each
     * reads a user's sessions again at most every {@code parley.auth.revocation-check-interval} (5 s) and looks for
     * sessions ended elsewhere as often. A logout on node 1 is refused on node 2 and closes alice's socket there within
     * that interval; a password change on node 2 does the same on node 1 for all her earlier tokens.
     */
    @Test
    void aSessionEndedOnOneNodeIsRefusedOnTheOtherAndItsSocketThereIsClosed() {
        ParleyClient alice = ParleyClient.signUp(node1, "alice");
        ParleyClient aliceOnNode2 = alice.on(node2);
        String first = alice.token;
        assertThat(aliceOnNode2.call("GET", "/api/conversations", null).status()).as("node 2 has read her sessions")
                .isEqualTo(200);
        try (SocketClient onNode2 = aliceOnNode2.connect(node2)) {
            assertAlive(onNode2);

            assertThat(alice.call("DELETE", "/api/users/" + alice.userId + "/sessions/current", null).status())
                    .isEqualTo(204);
            long loggedOut = System.nanoTime();

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> aliceOnNode2.call("GET", "/api/conversations", null, first).status() == 401);
            long refused = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> onNode2.closeCode() != null);
            long closed = System.nanoTime();
            assertThat(onNode2.closeCode()).isEqualTo(CloseCodes.SESSION_ENDED);
            System.out.printf("Logout on node 1 reached node 2 after %d ms (refused) and %d ms (socket closed)%n",
                    TimeUnit.NANOSECONDS.toMillis(refused - loggedOut), TimeUnit.NANOSECONDS.toMillis(closed - loggedOut));
            assertThat(Duration.ofNanos(closed - loggedOut)).as("within the check interval and some slack")
                    .isLessThan(Duration.ofSeconds(10));
        }

        alice.logIn(node1);
        String second = alice.token;
        assertThat(alice.call("GET", "/api/conversations", null, second).status()).isEqualTo(200);
        try (SocketClient onNode1 = SocketClient.connect(node1.ws(), second)) {
            assertAlive(onNode1);
            ParleyClient.Response changed = alice.on(node2).call("PUT", "/api/users/" + alice.userId + "/password",
                    json("currentPassword", "correct horse battery", "newPassword", "changed on node 2"), second);
            assertThat(changed.status()).as("%s", changed).isEqualTo(200);

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> alice.call("GET", "/api/conversations", null, second).status() == 401);
            await().atMost(Duration.ofSeconds(15)).until(() -> onNode1.closeCode() != null);
            assertThat(onNode1.closeCode()).isEqualTo(CloseCodes.SESSION_ENDED);
            assertThat(alice.call("GET", "/api/conversations", null, changed.body().get("token").asText()).status())
                    .as("the new session works on the other node").isEqualTo(200);
        }
    }

    private static void assertAlive(SocketClient socket) {
        String id = "alive-" + System.nanoTime();
        socket.send(json("type", "ping", "id", id));
        socket.await(reply("pong", id));
    }

    /**
     * Cross-node delivery latency: a sender on node 1 at a modest steady rate; the time from sending the frame to its
     * arrival at a recipient's socket on node 2 (and, for comparison, at the sender's second device on node 1). Both
     * nodes are other processes than the command side, so both learn of each event from the event store.
     */
    @Test
    void crossNodeDeliveryReachesEveryDeviceAndItsLatencyIsReported() throws Exception {
        ParleyClient alice = ParleyClient.signUp(node1, "alice");
        ParleyClient bob = ParleyClient.signUp(node2, "bob");
        String conversation = alice.openDirectWith(bob);
        int warmUp = 20;
        int measured = 150;
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        try (TimedSocket aliceSocket = TimedSocket.open(node1.ws(), alice.token);
             TimedSocket bobSocket = TimedSocket.open(node2.ws(), bob.token);
             TimedSocket aliceOtherDevice = TimedSocket.open(node1.ws(), alice.token)) {
            for (int i = 1; i <= warmUp + measured; i++) {
                long seq = i;
                sentAt.put(seq, System.nanoTime());
                aliceSocket.send(json("type", "send", "id", "l" + i, "conversationId", conversation, "text", "t" + i));
                pause(50); // ~20 messages per second, the default limit of one user
            }
            long last = warmUp + measured;
            await().atMost(Duration.ofSeconds(30)).until(() -> bobSocket.arrivals.containsKey(last)
                    && aliceOtherDevice.arrivals.containsKey(last));
            await().atMost(Duration.ofSeconds(10)).until(() -> aliceSocket.acks.containsKey(last));
            List<Long> all = java.util.stream.LongStream.rangeClosed(1, last).boxed().toList();
            assertThat(bobSocket.arrivals.keySet()).as("every message reached bob on node 2").containsAll(all);
            assertThat(aliceOtherDevice.arrivals.keySet()).as("and alice's other device on node 1").containsAll(all);
            long[] node2 = latencies(sentAt, bobSocket.arrivals, warmUp, measured);
            long[] node1 = latencies(sentAt, aliceOtherDevice.arrivals, warmUp, measured);
            long[] acked = latencies(sentAt, aliceSocket.acks, warmUp, measured);
            long[] afterAck = latencies(aliceSocket.acks, bobSocket.arrivals, warmUp, measured);
            String report = String.format("%d messages at ~20/s, %s:%n"
                            + "  command round trip (send -> ack on node 1)     %s%n"
                            + "  delivery to node 2 (send -> recipient socket)  %s%n"
                            + "  delivery to node 1 (send -> sender's 2nd device) %s%n"
                            + "  node 2 recipient relative to the sender's ack  %s",
                    measured, eventTransport(), figures(acked), figures(node2),
                    figures(node1), figures(afterAck));
            System.out.println("Cross-node delivery latency: " + report);
            // Printed, not asserted: speed targets belong in the benchmark, and on a shared 2-core machine the tail
            // is the machine's (p99 after the ack was 201-326 ms at load 17-30, ~20 ms when quiet). What the nudge
            // controls is the path after the commit: without it ~half the poll interval at p50.
        }
    }

    private static String figures(long[] sorted) {
        return String.format("p50=%6.1f ms  p99=%6.1f ms  max=%6.1f ms", ms(percentile(sorted, 50)),
                ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]));
    }

    // ---- the processes

    protected final class Child {
        final String name;
        final Process process;
        final Path log;

        Child(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        String logText() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return "(log unreadable: " + e + ")";
            }
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        deployment = deploy();
        work = Files.createTempDirectory("parley-" + getClass().getSimpleName());
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopChildren));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        List<String> push = new ArrayList<>(deployment.push());
        push.add("parley.presence=redis");
        push.add("parley.auth.jwt-secret=" + Base64.getEncoder().encodeToString(key));
        try {
            // one after the other, each once the one before is ready: they create their tables on first start
            if (deployment.commandsOverHttp()) {
                commandPort = freePort();
                startCommandSide();
                push.add("parley.command-bus=http");
                push.add("parley.command-side.url=http://127.0.0.1:" + commandPort);
            } else {
                // commands reach the command side through Axon Server: no endpoint of its own, so it is ready when
                // Axon Server knows its handlers, which the first registration of a story proves (it sends
                // RegisterUser)
                Child command = start("command-side", CommandSideApplication.class,
                        "parley.command-endpoint.enabled=false");
                awaitReady(command, () -> command.logText().contains("Started CommandSideApplication"));
            }
            querySide = startQuerySide();
            pushProperties = push;
            node1 = startPush("push-1", push);
            node2 = startPush("push-2", push);
        } catch (Throwable e) {
            printLogs();
            throw e;
        }
    }

    /** Stops the processes, then the services in the reverse order of their start. */
    @AfterAll
    void stopCluster() throws Exception {
        stopChildren();
        Exception failure = null;
        while (!services.isEmpty()) {
            try {
                services.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A service the configuration started, to stop after the class (after every process using it). */
    protected <T extends AutoCloseable> T closeAfter(T service) {
        services.push(service);
        return service;
    }

    /** A fresh in-memory H2 database on a TCP server of the test's own, for the processes to share; its JDBC URL. */
    protected String h2Database() throws SQLException {
        Server h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        closeAfter(h2::stop);
        return "jdbc:h2:tcp://localhost:" + h2.getPort() + "/mem:parley-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    /** Redis in a container; its URI. */
    protected String redisContainer() {
        GenericContainer<?> redis = closeAfter(
                new GenericContainer<>(DockerImageName.parse("redis:7-alpine")).withExposedPorts(6379));
        redis.start();
        return "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
    }

    /** Ready when a query side holds the conversation projection's token in the SQL token store at {@code url}. */
    protected static boolean projectionsRunning(String url, String user) {
        try (Connection connection = DriverManager.getConnection(url, user, "");
             PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM TokenEntry"
                     + " WHERE processorName = 'conversation-projection' AND owner IS NOT NULL");
             ResultSet rows = statement.executeQuery()) {
            return rows.next() && rows.getInt(1) > 0;
        } catch (SQLException notYet) {
            return false;
        }
    }

    /** Starts a query side as the deployment says and waits until its projections run. */
    protected Child startQuerySide() {
        int management = freePort();
        List<String> extra = new ArrayList<>(deployment.querySide());
        extra.add("parley.operations.management-port=" + management);
        Child child = start("query-side", QuerySideApplication.class, extra.toArray(String[]::new));
        awaitReady(child, deployment.querySideReady());
        querySideManagementPort = management;
        return child;
    }

    private Child start(String name, Class<?> main, String... extra) {
        Path log = work.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), main.getName(),
                "--parley.data-dir=" + work.resolve(name).toAbsolutePath()));
        deployment.common().forEach(property -> command.add("--" + property));
        Arrays.stream(extra).forEach(property -> command.add("--" + property));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Child child = new Child(name, process, log);
            children.add(child);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RunningParley startPush(String name, List<String> push) {
        int port = freePort();
        List<String> extra = new ArrayList<>(push);
        extra.add("server.port=" + port);
        Child child = start(name, PushApplication.class, extra.toArray(String[]::new));
        pushNodes.put(name, child);
        // ready as a load balancer sees it: started, stores and Redis answering
        awaitReady(child, () -> httpOk("http://127.0.0.1:" + port + "/actuator/health/readiness"));
        return RunningParley.remote(port);
    }

    /** Starts the command side with its own HTTP endpoint (on the same port each time) and waits until it answers. */
    protected void startCommandSide() {
        commandSide = start("command-side", CommandSideApplication.class,
                "parley.command-endpoint.address=127.0.0.1", "parley.command-endpoint.port=" + commandPort);
        awaitReady(commandSide, () -> httpOk("http://127.0.0.1:" + commandPort + "/internal/health"));
    }

    /** Stops the command side (SIGTERM) and waits until it has ended. */
    protected void stopCommandSide() throws InterruptedException {
        commandSide.process.destroy();
        if (!commandSide.process.waitFor(60, TimeUnit.SECONDS)) {
            commandSide.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A rolling restart of push node 2: SIGTERM (a graceful stop), wait until the process has ended, start it again
     * (on another port) and wait until it is ready. Answers how long the stop took.
     */
    protected Duration restartNode2() throws InterruptedException {
        Child old = pushNodes.get("push-2");
        long signalled = System.nanoTime();
        old.process.destroy();
        if (!old.process.waitFor(90, TimeUnit.SECONDS)) {
            throw new IllegalStateException("push-2 did not end within 90 s of SIGTERM");
        }
        Duration stopped = Duration.ofNanos(System.nanoTime() - signalled);
        node2 = startPush("push-2", pushProperties);
        return stopped;
    }

    /** What a push node printed so far (its earlier runs included). */
    protected String pushLog(String name) {
        return pushNodes.get(name).logText();
    }

    private void awaitReady(Child child, BooleanSupplier ready) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.process.isAlive()) {
                throw new IllegalStateException(child.name + " exited during start-up");
            }
            if (ready.getAsBoolean()) {
                return;
            }
            pause(250);
        }
        throw new IllegalStateException(child.name + " did not become ready");
    }

    private static boolean httpOk(String url) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void stopChildren() {
        for (Child child : children) {
            child.process.destroy();
        }
        for (Child child : children) {
            try {
                if (!child.process.waitFor(15, TimeUnit.SECONDS)) {
                    child.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.process.destroyForcibly();
            }
        }
    }

    private void printLogs() {
        for (Child child : children) {
            System.out.println("===== log of " + child.name + " =====");
            System.out.println(child.logText());
        }
    }

    // ---- helpers

    /** A WebSocket client that only notes when each message frame (by seq) arrived. */
    static final class TimedSocket implements WebSocket.Listener, AutoCloseable {
        final Map<Long, Long> arrivals = new ConcurrentHashMap<>();
        final Map<Long, Long> acks = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static TimedSocket open(String url, String token) {
            TimedSocket client = new TimedSocket();
            client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create(url), client).join();
            return client;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                try {
                    JsonNode frame = ParleyClient.JSON.readTree(partial.toString());
                    if ("message".equals(frame.path("type").asText())) {
                        arrivals.putIfAbsent(frame.get("seq").asLong(), now);
                    } else if ("ack".equals(frame.path("type").asText())) {
                        acks.putIfAbsent(frame.get("seq").asLong(), now);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }

        void send(JsonNode frame) {
            synchronized (this) {
                socket.sendText(frame.toString(), true).join();
            }
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    private static long[] latencies(Map<Long, Long> sentAt, Map<Long, Long> arrivals, int skip, int count) {
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            long seq = skip + i + 1;
            values[i] = arrivals.get(seq) - sentAt.get(seq);
        }
        Arrays.sort(values);
        return values;
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static long maxSeq(SocketClient socket) {
        return seqs(socket.frames(type("message"))).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static List<Long> seqs(List<JsonNode> frames) {
        return frames.stream().map(f -> f.get("seq").asLong()).toList();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
