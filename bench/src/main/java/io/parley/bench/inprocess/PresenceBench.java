package io.parley.bench.inprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.bench.Args;
import io.parley.bench.Cpu;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The presence storm (issue 19, item 3): M members of one group (default 1,000, the largest group allowed) connect
 * within S seconds (default 10, evenly spread), and every member is told of every member who comes online after it.
 * Counts the presence frames the clients received ({@code presence} and {@code presence_batch}) and the users they
 * listed, and the CPU time the server's threads used from the first connect until the frames stopped.
 * <p>
 * The standalone set-up is booted in this JVM (H2 file database); the clients are the JDK's WebSocket client on
 * threads of their own ({@code bench-client-*} and the client's selector), whose CPU time is subtracted from the
 * process's, so the CPU figure is the server's (plus the JVM's GC and compiler threads, shared by both).
 * <pre>
 * java -Xmx1g -cp bench/target/classes:$(cat bench/target/classpath.txt) io.parley.bench.inprocess.PresenceBench \
 *     [--members=1000] [--connect-seconds=10] [--window=250ms]   # --window=0: one frame per change, as before
 * </pre>
 */
public final class PresenceBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PresenceBench() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int members = args.integer("members", 1000);
        int connectSeconds = args.integer("connect-seconds", 10);
        String window = args.get("window", "250ms");
        Path data = Files.createTempDirectory("parley-presence-bench");

        Map<String, Object> props = new HashMap<>();
        props.put("parley.data-dir", data.toString());
        props.put("parley.read-store", "embedded");
        props.put("spring.datasource.url", "jdbc:h2:file:" + data + "/parley;DB_CLOSE_ON_EXIT=FALSE");
        props.put("spring.datasource.username", "sa");
        props.put("spring.datasource.password", "");
        props.put("axon.axonserver.enabled", "false");
        props.put("spring.main.banner-mode", "off");
        props.put("server.port", "0");
        props.put("logging.level.root", "warn");
        props.put("parley.auth.bcrypt-strength", "4");
        props.put("parley.limits.http-per-second", "10000");
        props.put("parley.limits.http-burst", "10000");
        props.put("parley.presence-batch-window", window);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(BenchApplication.class)
                .web(WebApplicationType.REACTIVE).properties(props).run();
        ExecutorService clientThreads = Executors.newFixedThreadPool(2, named("bench-client-"));
        HttpClient http = HttpClient.newBuilder().executor(clientThreads).version(HttpClient.Version.HTTP_1_1).build();
        try {
            String base = "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
            System.out.printf("== presence bench: %d members connecting within %d s, window %s; %d cores, load %s%n",
                    members, connectSeconds, window, Runtime.getRuntime().availableProcessors(), loadAverage());

            // set-up: users, their tokens, one group of all of them
            ExecutorService setup = Executors.newFixedThreadPool(8, named("bench-setup-"));
            List<Future<String[]>> signedUp = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                int n = i;
                signedUp.add(setup.submit(() -> signUp(http, base, "pbuser" + n)));
            }
            List<String[]> users = new ArrayList<>();
            for (Future<String[]> user : signedUp) {
                users.add(user.get());
            }
            setup.shutdown();
            ObjectNode group = JSON.createObjectNode().put("name", "Everyone");
            users.subList(1, members).forEach(u -> group.withArray("members").add(u[0]));
            JsonNode created = call(http, base, users.get(0)[1], "POST", "/api/conversations/groups", group);
            String conversationId = created.get("conversationId").asText();
            // the read model must list the group before the storm (presence asks it who shares a conversation)
            for (int tries = 0; tries < 100; tries++) {
                if (call(http, base, users.get(members - 1)[1], "GET", "/api/conversations", null).toString()
                        .contains(conversationId)) {
                    break;
                }
                Thread.sleep(100);
            }
            System.out.printf("   set up %d users and the group%n", members);

            // the storm
            Counts counts = new Counts();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long processBefore = Cpu.selfNanos();
            Map<Long, Long> clientBefore = clientThreadNanos(threads);
            Cpu machine = new Cpu(-1);
            Cpu.Sample m0 = machine.sample();
            long start = System.nanoTime();
            long gapNanos = connectSeconds * 1_000_000_000L / members;
            List<CompletableFuture<WebSocket>> sockets = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                long due = start + i * gapNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                sockets.add(http.newWebSocketBuilder().header("Authorization", "Bearer " + users.get(i)[1])
                        .connectTimeout(Duration.ofSeconds(30))
                        .buildAsync(URI.create(base.replace("http", "ws") + "/ws"), counts));
            }
            List<WebSocket> open = new ArrayList<>();
            int refused = 0;
            for (CompletableFuture<WebSocket> socket : sockets) {
                try {
                    open.add(socket.join());
                } catch (RuntimeException e) {
                    refused++; // an overloaded server lets handshakes time out (30 s): counted, not fatal
                }
            }
            double connected = (System.nanoTime() - start) / 1e9;
            // the frames have stopped when none arrived for 3 s
            while (System.nanoTime() - counts.last.get() < 3_000_000_000L) {
                Thread.sleep(200);
            }
            double until = (counts.last.get() - start) / 1e9;
            long process = Cpu.selfNanos() - processBefore;
            long client = 0;
            for (Map.Entry<Long, Long> now : clientThreadNanos(threads).entrySet()) {
                client += now.getValue() - clientBefore.getOrDefault(now.getKey(), 0L);
            }
            Cpu.Use use = machine.between(m0, machine.sample());
            long frames = counts.single.get() + counts.batches.get();
            long expected = (long) members * (members - 1) / 2;
            System.out.printf("   %d sockets open (%d handshakes failed) after %.1f s; the last presence frame at %.1f s%n",
                    open.size(), refused, connected, until);
            System.out.printf("   presence frames received: %,d (%,d presence + %,d presence_batch), listing %,d"
                            + " users (at least %,d: each member told of each later one; two who connect at nearly the same time may"
                            + " both be told of the other)%n", frames,
                    counts.single.get(), counts.batches.get(), counts.entries.get(), expected);
            System.out.printf("   CPU: server threads %.1f s (process %.1f s, clients %.1f s) over %.1f s,"
                            + " = %.0f%% of one core; the whole machine was %.0f%% busy (%d cores: %d%% = all); load %s%n",
                    (process - client) / 1e9, process / 1e9, client / 1e9, until,
                    100.0 * (process - client) / 1e9 / until, use.machinePct(), use.cores(), 100 * use.cores(), loadAverage());
            open.forEach(WebSocket::abort);
        } finally {
            context.close();
            clientThreads.shutdownNow();
        }
        System.exit(0);
    }

    /** Counts presence frames without parsing them: {@code type} is always the first field. */
    static final class Counts implements WebSocket.Listener {
        final AtomicLong single = new AtomicLong();
        final AtomicLong batches = new AtomicLong();
        final AtomicLong entries = new AtomicLong();
        final AtomicLong last = new AtomicLong(System.nanoTime());
        private final Map<WebSocket, StringBuilder> partial = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean lastPart) {
            socket.request(1);
            if (!lastPart) {
                partial.computeIfAbsent(socket, s -> new StringBuilder()).append(data);
                return null;
            }
            StringBuilder earlier = partial.remove(socket);
            String frame = earlier == null ? data.toString() : earlier.append(data).toString();
            if (frame.startsWith("{\"type\":\"presence_batch\"")) {
                batches.incrementAndGet();
                entries.addAndGet(occurrences(frame, "\"userId\""));
                last.set(System.nanoTime());
            } else if (frame.startsWith("{\"type\":\"presence\"")) {
                single.incrementAndGet();
                entries.incrementAndGet();
                last.set(System.nanoTime());
            }
            return null;
        }

        private static int occurrences(String text, String part) {
            int count = 0;
            for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
                count++;
            }
            return count;
        }
    }

    private static Map<Long, Long> clientThreadNanos(ThreadMXBean threads) {
        Map<Long, Long> nanos = new HashMap<>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (info.getThreadName().startsWith("bench-client-")
                    || info.getThreadName().startsWith("HttpClient-") || info.getThreadName().equals("main"))) {
                nanos.put(info.getThreadId(), threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return nanos;
    }

    private static String[] signUp(HttpClient http, String base, String username) throws Exception {
        JsonNode user = call(http, base, null, "POST", "/api/users", JSON.createObjectNode()
                .put("username", username).put("password", "bench-password").put("displayName", username));
        JsonNode session = call(http, base, null, "POST", "/api/sessions", JSON.createObjectNode()
                .put("username", username).put("password", "bench-password"));
        return new String[]{user.get("userId").asText(), session.get("token").asText()};
    }

    private static JsonNode call(HttpClient http, String base, String token, String method, String path, JsonNode body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
