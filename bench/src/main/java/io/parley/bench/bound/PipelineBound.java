package io.parley.bench.bound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.bench.Args;
import io.parley.eventstore.erasure.ErasureKeys;
import io.parley.eventstore.erasure.TextCipher;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

/**
 * A bound, not Parley: the least a server must do for the load generator's 1:1 profile, on the edge Parley is built
 * on (Spring WebFlux on Reactor Netty, Jackson), so that what it carries on a machine shows roughly what a pipeline
 * doing that work and more could carry there, at most (one implementation, measured in single runs; docs/benchmark.md,
 * "eighteenth stop"). It speaks the part of Parley's protocol
 * the generator uses: {@code POST /api/users}, {@code /api/sessions} and {@code /api/conversations/direct}, and
 * {@code /ws} with a Bearer token, {@code send} frames answered by {@code ack} and {@code message} frames
 * (PROTOCOL.md; the message frame with the fields the generator reads, without Parley's optional ones).
 * <p>
 * The stages ({@code --stage}): relay, log and full each add to the one before; sql and log-sql do full's work with
 * H2 in place of the log or the memory:
 * <ul>
 *     <li>{@code relay}: parse the frame, check membership, give the message its conversation's next seq, answer
 *     the ack and write the message to the members' sockets; nothing kept.</li>
 *     <li>{@code log}: the message is appended to an append-only file ({@link FileLog}: length, CRC-32C, JSON), written
 *     and forced to disk in groups by one thread ({@link Committer}); the ack and the message frames leave only after
 *     the force, as Parley's do (an ack means committed).</li>
 *     <li>{@code full}: besides, what Parley does to every message's event: its text encrypted under the sender's own
 *     key (Parley's {@code TextCipher}, the keys in Parley's table in an H2 database in memory) and its hash
 *     chained to its conversation's last (Parley's {@code HashChain}), and after the force a read model kept in
 *     memory (each conversation's timeline, each member's unread count and last seq).</li>
 *     <li>{@code sql}: full's work with H2 instead of the log and the memory ({@link H2Tables}): each group's events
 *     in Parley's event table and its read model in Parley's timeline, conversation and inbox tables, one
 *     transaction per group (Parley's processors commit apart from the events), written to H2's file before the ack,
 *     a group started at most every 5 ms (Parley's group commit waits its window only after a write that served
 *     several commits), H2's own auto-commit buffer (Parley sets 4 MB).</li>
 *     <li>{@code log-sql}: full's work with the events in the log, and the read model in H2's tables written behind
 *     it by a thread of its own in groups (the timeline, conversation and inbox rows of sql, no event table), not
 *     waited for, as Parley's projections trail its event store. The server prints every 10 s how far it trails.</li>
 * </ul>
 * Left out on purpose, so the bound stays a bound: token signatures (a token is a random string here), Spring
 * Security, rate limits, idempotency, Axon's buses and units of work, the processors' tokens, snapshots, search,
 * notifications, metrics, reading the log back, limits (a frame over 64 KiB closes the socket; a socket that does not
 * read has its frames held without bound), Parley's input checks beyond the frame's shape (blank texts, missing
 * fields answer 400 or an error frame, no more). Passwords are kept in memory as given: this is a benchmark's
 * instrument on a loopback port.
 * <p>
 * Usage: {@code PipelineBound --stage=relay|log|full|sql|log-sql [--port=0] [--data-dir=DIR]} (the stage is
 * required; without a data directory it makes a temporary one). It prints
 * {@code Netty started on port N} and {@code Started PipelineBound} when ready (what bench/run.sh waits for).
 */
public final class PipelineBound {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How far the bound goes (see the class comment). */
    public enum Stage {
        RELAY, LOG, FULL, SQL, LOG_SQL
    }

    private final Stage stage;
    private final Chat chat;
    private final Committer log;
    /** Stage log-sql: the read model's writer, behind the log. */
    private final Committer projector;
    private final DisposableServer server;
    private final AnnotationConfigApplicationContext context;

    private PipelineBound(Stage stage, Path dataDir, int port) throws IOException {
        this.stage = stage;
        H2Tables tables = stage == Stage.SQL || stage == Stage.LOG_SQL ? new H2Tables(dataDir, stage == Stage.SQL)
                : null;
        this.log = switch (stage) {
            case RELAY -> null;
            case LOG, FULL, LOG_SQL -> new Committer(new FileLog(dataDir.resolve("events.log")), 0);
            case SQL -> new Committer(tables, Duration.ofMillis(5).toNanos());
        };
        this.projector = stage == Stage.LOG_SQL ? new Committer(tables, 0) : null;
        this.chat = new Chat(stage, log, tables, projector, stage == Stage.RELAY || stage == Stage.LOG ? null
                : new TextCipher(new ErasureKeys(keyStore(), Duration.ofMinutes(10))));
        this.context = new AnnotationConfigApplicationContext();
        context.registerBean(Chat.class, () -> chat);
        context.register(Web.class);
        context.refresh();
        HttpHandler handler = WebHttpHandlerBuilder.applicationContext(context).build();
        this.server = HttpServer.create().host("127.0.0.1").port(port)
                .handle(new ReactorHttpHandlerAdapter(handler)).bindNow(Duration.ofSeconds(30));
    }

    /** The users' erasure keys: Parley's table, in an H2 database in memory (looked up once a key is cached). */
    private static DataSource keyStore() {
        JdbcDataSource keys = new JdbcDataSource();
        keys.setURL("jdbc:h2:mem:bound-keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return keys;
    }

    /** Starts a bound on {@code port} (0: any free one), its log or database (past relay) in {@code dataDir}. */
    public static PipelineBound start(Stage stage, Path dataDir, int port) throws IOException {
        return new PipelineBound(stage, dataDir, port);
    }

    public int port() {
        return server.port();
    }

    /** Events appended and forced so far (0 for the relay). */
    public long committed() {
        return log == null ? 0 : log.committed();
    }

    /** Messages the read model holds so far: at stage log-sql behind {@link #committed()}, else the same. */
    public long projected() {
        return projector == null ? committed() : projector.committed();
    }

    /** The member's unread count in the read model (stages full, sql and log-sql; -1 otherwise). */
    public long unread(String conversationId, String userId) throws java.sql.SQLException {
        return chat.unread(conversationId, userId);
    }

    /** Keeps the group commit from writing until {@link #releaseWrites()} (tests; all stages but relay). */
    void holdWrites() {
        log.holdWrites();
    }

    void releaseWrites() {
        log.releaseWrites();
    }

    public void stop() {
        server.disposeNow(Duration.ofSeconds(5));
        context.close();
        if (log != null) {
            log.close();
        }
        if (projector != null) {
            projector.close();
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Stage stage = stage(args.get("stage", ""));
        String dir = args.get("data-dir", null);
        Path dataDir = dir == null ? Files.createTempDirectory("parley-bound") : Files.createDirectories(Path.of(dir));
        PipelineBound bound = start(stage, dataDir, args.integer("port", 0));
        System.out.println("Netty started on port " + bound.port());
        System.out.println("Started PipelineBound (stage " + stage.name().toLowerCase().replace('_', '-')
                + ", data in " + dataDir + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(bound::stop));
        while (stage == Stage.LOG_SQL) { // what the read model trails the log by, every 10 s (it is not waited for)
            Thread.sleep(10_000);
            System.out.println("committed " + bound.committed() + ", in the read model " + bound.projected());
        }
        Thread.currentThread().join();
    }

    /** The stage named (any case, {@code -} or {@code _}); exits with the stages' names when there is none such. */
    private static Stage stage(String name) {
        for (Stage stage : Stage.values()) {
            if (stage.name().equalsIgnoreCase(name.replace('-', '_'))) {
                return stage;
            }
        }
        System.err.println("--stage must be one of relay, log, full, sql, log-sql (not \"" + name + "\")");
        System.exit(2);
        return null;
    }

    /**
     * The WebFlux configuration: the set-up endpoints as router functions and the socket, as Parley maps them.
     * Registered by {@link #start} and not a {@code @Configuration}: the in-process benchmarks' application scans
     * {@code io.parley}, and would take this one's beans beside Parley's (it failed to start on the socket's).
     */
    @EnableWebFlux
    static class Web {

        @Bean
        RouterFunction<ServerResponse> setUp(Chat chat) {
            return RouterFunctions.route(POST("/api/users"), request -> body(request).flatMap(b -> {
                        if (blank(text(b, "username")) || blank(text(b, "password"))) {
                            return badRequest("username and password are required");
                        }
                        String userId = chat.register(text(b, "username"), text(b, "password"));
                        return userId == null ? ServerResponse.status(HttpStatus.CONFLICT).build()
                                : ServerResponse.status(HttpStatus.CREATED).bodyValue(Map.of("userId", userId));
                    }))
                    .andRoute(POST("/api/sessions"), request -> body(request).flatMap(b -> {
                        Chat.Session session = chat.login(text(b, "username"), text(b, "password"));
                        return session == null ? ServerResponse.status(HttpStatus.UNAUTHORIZED).build()
                                : ServerResponse.ok().bodyValue(Map.of("userId", session.userId(), "token",
                                session.token()));
                    }))
                    .andRoute(POST("/api/conversations/direct"), request -> {
                        String me = chat.userOf(request.headers().firstHeader("Authorization"));
                        if (me == null) {
                            return ServerResponse.status(HttpStatus.UNAUTHORIZED).build();
                        }
                        return body(request).flatMap(b -> {
                            if (blank(text(b, "userId"))) {
                                return badRequest("userId is required");
                            }
                            String conversationId = chat.openDirect(me, text(b, "userId"));
                            return conversationId == null ? ServerResponse.notFound().build()
                                    : ServerResponse.ok().bodyValue(Map.of("conversationId", conversationId));
                        });
                    });
        }

        @Bean
        HandlerMapping socket(Chat chat) {
            WebSocketHandler handler = session -> {
                String userId = chat.userOf(session.getHandshakeInfo().getHeaders().getFirst("Authorization"));
                if (userId == null) {
                    return session.close(CloseStatus.POLICY_VIOLATION);
                }
                Chat.Outbound out = chat.connect(userId);
                Mono<Void> input = session.receive()
                        .doOnNext(message -> chat.onFrame(userId, out, message.getPayloadAsText()))
                        .then();
                Mono<Void> output = session.send(out.frames().map(session::textMessage));
                return Mono.zip(input, output).then().doFinally(signal -> chat.disconnect(userId, out));
            };
            return new SimpleUrlHandlerMapping(Map.of("/ws", handler), -1);
        }

        @Bean
        WebSocketHandlerAdapter webSocketHandlerAdapter() {
            return new WebSocketHandlerAdapter();
        }

        /** The body as JSON; a missing or unreadable one as an empty object (its fields then answer 400). */
        private static Mono<JsonNode> body(ServerRequest request) {
            return request.bodyToMono(String.class).map(text -> {
                try {
                    JsonNode node = JSON.readTree(text);
                    return node == null ? JSON.createObjectNode() : node;
                } catch (IOException e) {
                    return (JsonNode) JSON.createObjectNode();
                }
            }).defaultIfEmpty(JSON.createObjectNode());
        }

        /** A field's text, null unless it is a JSON string. */
        private static String text(JsonNode body, String field) {
            JsonNode value = body.get(field);
            return value == null || !value.isTextual() ? null : value.asText();
        }

        private static boolean blank(String value) {
            return value == null || value.isBlank();
        }

        private static Mono<ServerResponse> badRequest(String reason) {
            return ServerResponse.badRequest().bodyValue(Map.of("error", reason));
        }
    }
}
