package io.parley.standalone;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.parley.push.web.ErrorCode;
import io.parley.standalone.Endpoints.Endpoint;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Property-based (jqwik): random and mutated frames at the socket, random bodies at every HTTP endpoint. Whatever
 * arrives, the server answers a frame with a sensible reply or an {@code error} of the protocol's codes (never
 * {@code INTERNAL}), keeps the connection open, never answers HTTP with a 5xx and always explains a 4xx with
 * {@code {"code","message"}}; afterwards its heap and its count of open connections are back to normal.
 * <p>
 * One application for the class, in this JVM; a small pool of sockets is reused across tries. The rate limits are
 * raised so that the inputs reach the handlers instead of the buckets.
 */
class HostileInputTest {

    /** PROTOCOL.md: the codes an {@code error} frame may carry. */
    private static final Set<String> SOCKET_CODES = Set.of("BAD_FRAME", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND",
            "TOO_LARGE", "RATE_LIMITED", "CONFLICT", "INTERNAL");
    private static final Set<String> CLIENT_FRAME_TYPES = Set.of("send", "delivered", "read", "edit", "delete",
            "typing", "sync", "ping");
    /** Frames with an id that are always answered (typing is answered only when it fails). */
    private static final Set<String> REPLIES = Set.of("ack", "ok", "error", "synced", "pong");
    private static final List<String> FRAME_FIELDS = List.of("type", "id", "conversationId", "text", "upToSeq", "seq",
            "since");
    private static final List<String> BODY_FIELDS = List.of("userId", "name", "members", "clientMsgId", "text",
            "upToSeq", "username", "password", "displayName");
    private static final int MAX_FRAME = 64 * 1024; // parley.push.max-frame-size (default)
    private static final int POOL = 3;
    /**
     * How much the heap, after a GC, may grow from the boot of this class's server to the end of the fuzzing: what the
     * server keeps by design (H2's page cache, up to 64 MB; the search index's buffer, up to 32 MB; Axon's caches)
     * fits, the hostile bodies (up to 320 KB each, hundreds of them) kept by a leak do not; the suite's run grew 7 MB.
     * Measured from the boot, not as an absolute heap: the test JVM also holds what the test classes before this one
     * left (the whole suite runs in one JVM: 656 MB at this class's boot, 67 MB when it runs alone), which is not this
     * server's doing.
     */
    private static final long HEAP_GROWTH_BOUND = 128L * 1024 * 1024;

    private static final ObjectMapper JSON = ParleyClient.JSON;
    /** The server's reading of a frame's text: one JSON value, each key once (InputPolicy). */
    private static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper ASCII_JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static RunningParley parley;
    static ParleyClient socketUser;
    static ParleyClient peer;
    static ParleyClient httpUser;
    static ParleyClient outsider;
    /** Signed up at boot: after the fuzzing's failed logins, the login throttle rightly refuses this address. */
    static ParleyClient churn;
    static String socketGroup;
    static String socketDirect;
    static String httpGroup;
    static String httpDirect;
    static List<Endpoint> endpoints;
    static final List<SocketClient> pool = new ArrayList<>();
    /** The heap after a GC once this class's server is up and seeded. */
    static long heapAtBoot;
    static final AtomicInteger counter = new AtomicInteger();

    @BeforeContainer
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-hostile"),
                "parley.limits.sends-per-second=100000", "parley.limits.sends-burst=100000",
                "parley.limits.frames-per-second=100000", "parley.limits.frames-burst=100000",
                "parley.limits.typing-per-second=100000", "parley.limits.typing-burst=100000",
                "parley.limits.http-per-second=100000", "parley.limits.http-burst=100000");
        socketUser = ParleyClient.signUp(parley, "sfuzz");
        httpUser = ParleyClient.signUp(parley, "hfuzz");
        peer = ParleyClient.signUp(parley, "peer");
        outsider = ParleyClient.signUp(parley, "outsider");
        churn = ParleyClient.signUp(parley, "churn");
        socketGroup = group(socketUser);
        socketDirect = socketUser.openDirectWith(peer);
        httpGroup = group(httpUser);
        httpDirect = httpUser.openDirectWith(peer);
        for (ParleyClient user : List.of(socketUser, httpUser)) {
            for (String conversation : user == socketUser ? List.of(socketGroup, socketDirect)
                    : List.of(httpGroup, httpDirect)) {
                for (int i = 1; i <= 3; i++) {
                    assertThat(user.call("POST", "/api/conversations/" + conversation + "/messages",
                            json("clientMsgId", "seed-" + i, "text", "seed " + i)).status()).isEqualTo(201);
                }
            }
        }
        endpoints = Endpoints.of(parley);
        for (int i = 0; i < POOL; i++) {
            pool.add(socketUser.connect(parley));
        }
        heapAtBoot = heapUsedAfterGc(0);
    }

    /**
     * After all the fuzzing (jqwik runs this after every property of the class): every socket released and the heap,
     * after a GC, within a generous bound. A failure here fails the class.
     */
    @AfterContainer
    static void memoryIsBoundedAfterTheFuzzing() throws Exception {
        try {
            pool.stream().filter(java.util.Objects::nonNull).forEach(SocketClient::close);
            await().atMost(Duration.ofSeconds(15)).until(() -> openConnections() == 0);
            long used = heapUsedAfterGc(heapAtBoot + HEAP_GROWTH_BOUND);
            System.out.printf("HostileInputTest: after the fuzzing, heap used after GC %d MB (%d MB at boot),"
                    + " open connections %d%n", used / (1024 * 1024), heapAtBoot / (1024 * 1024), openConnections());
            assertThat(used - heapAtBoot).as("heap growth after GC since boot, bytes").isLessThan(HEAP_GROWTH_BOUND);
        } finally {
            if (parley != null) {
                parley.close();
            }
        }
    }

    // ============================================================================================ the socket

    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED)
    void everyFrameIsAnsweredSensiblyAndTheConnectionSurvives(@ForAll("frames") Shot shot) {
        int slot = counter.incrementAndGet() % POOL;
        SocketClient socket = socket(slot);
        int mark = socket.receivedCount();
        shot.sendTo(socket);
        String probe = "probe-" + counter.get() + "-" + System.nanoTime();
        socket.send(json("type", "ping", "id", probe));
        // Frames of one socket are handled in order: once the pong is here, every answer to the shot is too.
        JsonNode pong;
        try {
            pong = socket.await(reply("pong", probe), Duration.ofSeconds(15));
        } catch (AssertionError e) {
            pool.set(slot, null); // a fresh socket for the next try
            throw new AssertionError("the connection did not survive " + shot + " (open: " + socket.isOpen()
                    + ", close code " + socket.closeCode() + ")", e);
        }
        List<JsonNode> answers = new ArrayList<>();
        for (JsonNode frame : socket.receivedSince(mark)) {
            if (frame == pong) {
                break;
            }
            answers.add(frame);
        }
        for (JsonNode answer : answers) {
            if ("error".equals(answer.path("type").asText())) {
                assertThat(answer.path("code").asText()).as("%s answered %s", shot, answer)
                        .isIn(SOCKET_CODES).isNotEqualTo("INTERNAL");
                assertThat(answer.path("message").isTextual()).as("%s", answer).isTrue();
            }
        }
        Expected expected = expect(shot);
        switch (expected.kind()) {
            case TOO_LARGE, BAD_FRAME -> assertThat(answers)
                    .as("%s must be answered with %s (id %s)", shot, expected.kind(), expected.id())
                    .anySatisfy(answer -> {
                        assertThat(answer.path("type").asText()).isEqualTo("error");
                        assertThat(answer.path("code").asText()).isEqualTo(expected.kind().name());
                        assertThat(answer.path("id").isNull() || answer.path("id").isMissingNode()
                                ? null : answer.path("id").asText()).isEqualTo(expected.id());
                    });
            case REPLY -> assertThat(answers).as("%s must be answered (id %s)", shot, expected.id())
                    .anySatisfy(answer -> {
                        assertThat(answer.path("type").asText()).isIn(REPLIES);
                        assertThat(answer.path("id").asText()).isEqualTo(expected.id());
                    });
            case ANY -> {
            }
        }
        Statistics.label("shot").collect(shot.kind());
        Statistics.label("answer").collect(answers.stream()
                .filter(a -> expected.id() == null || expected.id().equals(a.path("id").asText(null)))
                .map(a -> a.path("type").asText() + (a.has("code") ? ":" + a.path("code").asText() : ""))
                .filter(type -> !type.equals("message") && !type.equals("message_updated"))
                .findFirst().orElse("(none)"));
    }

    /** A message sent on the socket: text in one or more fragments, or binary. */
    record Shot(String kind, List<String> parts, byte[] binary) {

        static Shot text(String kind, String text) {
            return new Shot(kind, List.of(wellFormed(text)), null);
        }

        String text() {
            return binary != null ? null : String.join("", parts);
        }

        void sendTo(SocketClient socket) {
            if (binary != null) {
                socket.sendBinary(binary);
            } else if (parts.size() == 1) {
                socket.sendText(parts.get(0));
            } else {
                socket.sendFragmented(parts);
            }
        }

        @Override
        public String toString() {
            if (binary != null) {
                return kind + " (" + binary.length + " bytes)";
            }
            String text = text();
            String shown = text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " chars)" : text;
            return kind + (parts.size() > 1 ? " in " + parts.size() + " fragments" : "") + ": " + shown;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Shot shot && kind.equals(shot.kind) && Arrays.equals(binary, shot.binary)
                    && java.util.Objects.equals(parts, shot.parts);
        }

        @Override
        public int hashCode() {
            return kind.hashCode();
        }
    }

    enum Answer { TOO_LARGE, BAD_FRAME, REPLY, ANY }

    record Expected(Answer kind, String id) {
    }

    /** What the protocol says the answer to a shot is: a model of the server's reading of a frame. */
    static Expected expect(Shot shot) {
        if (shot.binary() != null) {
            return new Expected(Answer.BAD_FRAME, null);
        }
        String text = shot.text();
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_FRAME) {
            return new Expected(Answer.TOO_LARGE, null);
        }
        JsonNode node;
        try {
            node = STRICT_JSON.readTree(text);
        } catch (Exception e) {
            return new Expected(Answer.BAD_FRAME, null);
        }
        if (node == null || !node.isObject()) {
            return new Expected(Answer.BAD_FRAME, null);
        }
        JsonNode id = node.get("id");
        String idText = null;
        if (id != null && !id.isNull()) {
            if (!id.isTextual() || id.asText().isEmpty() || id.asText().length() > 128) {
                return new Expected(Answer.BAD_FRAME, null);
            }
            // An id with a lone surrogate (sent as a \\u escape) cannot travel back as UTF-8: it is echoed with
            // '?' in its place, as Java's and Netty's encoders write it.
            idText = new String(id.asText().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual() || !CLIENT_FRAME_TYPES.contains(type.asText())) {
            return new Expected(Answer.BAD_FRAME, idText);
        }
        if (idText != null && !type.asText().equals("typing")) {
            return new Expected(Answer.REPLY, idText);
        }
        return new Expected(Answer.ANY, null);
    }

    @Provide
    Arbitrary<Shot> frames() {
        Arbitrary<String> mutated = mutatedFrames();
        return Arbitraries.frequencyOf(
                Tuple.of(2, unicode(0, 200).map(text -> Shot.text("arbitrary string", text))),
                Tuple.of(2, randomJson(3).map(node -> Shot.text("random JSON", write(node)))),
                Tuple.of(14, mutated.map(text -> Shot.text("mutated frame", text))),
                Tuple.of(2, sizedFrames()),
                Tuple.of(1, deeplyNested().map(text -> Shot.text("deeply nested", text))),
                Tuple.of(1, Arbitraries.oneOf(
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(3000),
                                mutated.map(text -> text.getBytes(StandardCharsets.UTF_8)))
                        .map(bytes -> new Shot("binary", List.of(), bytes))),
                Tuple.of(1, Combinators.combine(mutated, Arbitraries.integers().between(2, 4),
                                Arbitraries.integers().between(0, Integer.MAX_VALUE))
                        .as(HostileInputTest::fragmented)));
    }

    /** A valid frame of a random type, then 0 to 3 mutations of its fields, then perhaps of its text. */
    private Arbitrary<String> mutatedFrames() {
        Arbitrary<ObjectNode> valid = Combinators.combine(
                Arbitraries.of("send", "delivered", "read", "edit", "delete", "typing", "sync", "ping", "SEND",
                        "teleport"),
                Arbitraries.integers().between(0, 1_000_000),
                Arbitraries.of(socketGroup, socketDirect),
                Arbitraries.longs().between(1, 3),
                unicode(1, 40).filter(text -> !text.isBlank())
        ).as((type, n, conversation, seq, text) -> {
            ObjectNode frame = JSON.createObjectNode().put("type", type).put("id", "f-" + n);
            switch (type) {
                case "send" -> frame.put("conversationId", conversation).put("text", text);
                case "delivered", "read" -> frame.put("conversationId", conversation).put("upToSeq", seq);
                case "edit" -> frame.put("conversationId", conversation).put("seq", seq).put("text", text);
                case "delete" -> frame.put("conversationId", conversation).put("seq", seq);
                case "typing" -> frame.put("conversationId", conversation);
                case "sync" -> frame.set("since", JSON.createObjectNode().put(conversation, seq - 1));
                default -> {
                }
            }
            return frame;
        });
        Arbitrary<List<UnaryOperator<ObjectNode>>> mutations = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(List.<UnaryOperator<ObjectNode>>of())), // valid frames too
                Tuple.of(4, mutation(FRAME_FIELDS).list().ofMinSize(1).ofMaxSize(3)));
        Arbitrary<UnaryOperator<String>> textual = textMutation();
        return Combinators.combine(valid, mutations, textual, Arbitraries.of(false, false, false, true))
                .as((frame, changes, change, ascii) -> {
                    ObjectNode result = frame;
                    for (UnaryOperator<ObjectNode> each : changes) {
                        result = each.apply(result);
                    }
                    return change.apply(ascii ? writeAscii(result) : write(result));
                });
    }

    /** Set a field to a strange value, remove it, or add a field that does not belong. */
    private Arbitrary<UnaryOperator<ObjectNode>> mutation(List<String> fields) {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Combinators.combine(Arbitraries.of(fields), weird()).as((field, value) -> frame -> {
                    ObjectNode copy = frame.deepCopy();
                    copy.set(field, value);
                    return copy;
                })),
                Tuple.of(2, Combinators.combine(Arbitraries.of("conversationId", "id", "userId"), oddIds())
                        .as((field, value) -> frame -> {
                            ObjectNode copy = frame.deepCopy();
                            copy.put(field, value);
                            return copy;
                        })),
                Tuple.of(2, Arbitraries.of(fields).map(field -> frame -> {
                    ObjectNode copy = frame.deepCopy();
                    copy.remove(field);
                    return copy;
                })),
                Tuple.of(2, Combinators.combine(unicode(0, 12), weird()).as((field, value) -> frame -> {
                    ObjectNode copy = frame.deepCopy();
                    copy.set(field, value);
                    return copy;
                })));
    }

    /** Damage to the JSON text itself. */
    private static Arbitrary<UnaryOperator<String>> textMutation() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just(UnaryOperator.identity())),
                Tuple.of(1, Arbitraries.integers().between(0, 10_000)
                        .map(cut -> text -> text.substring(0, Math.min(cut, text.length())))),
                Tuple.of(1, unicode(1, 10).map(junk -> text -> text + junk)),
                Tuple.of(1, Arbitraries.just(text -> "\uFEFF" + text)),
                Tuple.of(1, Arbitraries.of("ping", "send", "sync", "") // a duplicate key: refused
                        .map(type -> text -> text.startsWith("{") ? "{\"type\":\"" + type + "\"," + text.substring(1)
                                : text)),
                Tuple.of(1, Arbitraries.just(text -> text.replace("\"", "'"))));
    }

    /** Frames of exact byte sizes around the 64 KiB limit and far beyond it (up to 200 KiB). */
    private Arbitrary<Shot> sizedFrames() {
        return Combinators.combine(
                Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.integers().between(MAX_FRAME - 40, MAX_FRAME + 40)),
                        Tuple.of(1, Arbitraries.integers().between(1_000, 200 * 1024))),
                Arbitraries.of("a", "é", "€", "\uD83D\uDE00"),
                Arbitraries.of("ping", "send"),
                Arbitraries.integers().between(0, 1_000_000)
        ).as((size, unit, type, n) -> {
            String head = "send".equals(type)
                    ? "{\"type\":\"send\",\"id\":\"s-" + n + "\",\"conversationId\":\"" + socketGroup + "\",\"text\":\""
                    : "{\"type\":\"ping\",\"id\":\"s-" + n + "\",\"pad\":\"";
            String tail = "\"}";
            int room = size - utf8(head) - utf8(tail);
            StringBuilder pad = new StringBuilder();
            int unitBytes = utf8(unit);
            int used = 0;
            while (used + unitBytes <= room) {
                pad.append(unit);
                used += unitBytes;
            }
            pad.append("a".repeat(Math.max(0, room - used)));
            String text = head + pad + tail;
            return new Shot("sized " + type, List.of(text), null);
        });
    }

    private static Arbitrary<String> deeplyNested() {
        return Combinators.combine(Arbitraries.integers().between(100, 5_000), Arbitraries.of("[", "{\"a\":"))
                .as((depth, open) -> {
                    String close = open.equals("[") ? "]" : "}";
                    return "{\"type\":\"ping\",\"id\":\"deep\",\"x\":" + open.repeat(depth) + "1"
                            + close.repeat(depth) + "}";
                });
    }

    private static Shot fragmented(String text, int pieces, int seed) {
        String whole = wellFormed(text);
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < pieces && start < whole.length(); i++) {
            int cut = start + Math.floorMod(seed * 31 + i * 7919, Math.max(1, whole.length() - start));
            if (cut > 0 && cut < whole.length() && Character.isLowSurrogate(whole.charAt(cut))) {
                cut++; // never between the halves of a surrogate pair
            }
            parts.add(whole.substring(start, cut));
            start = cut;
        }
        parts.add(whole.substring(start));
        return new Shot("fragmented", parts, null);
    }

    // ============================================================================================ HTTP

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE) // spread over endpoints
    void everyEndpointAnswersRandomBodiesWithoutA5xxAndExplainsEvery4xx(@ForAll("calls") Call call)
            throws Exception {
        HttpResponse<String> response;
        try {
            response = HTTP.send(request(call), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException stalled) {
            dumpThreads();
            throw new AssertionError(call + " got no answer within 5 s", stalled);
        }
        int status = response.statusCode();
        assertThat(status).as("%s answered %s %s", call, status, response.body()).isLessThan(500);
        if (status >= 400) {
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (Exception e) {
                throw new AssertionError(call + " answered " + status + " without a JSON body: " + response.body(), e);
            }
            assertThat(body != null && body.isObject()).as("%s answered %s %s", call, status, response.body())
                    .isTrue();
            Set<String> fields = new TreeSet<>();
            body.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).as("%s answered %s", call, response.body()).containsExactly("code", "message");
            assertThat(body.get("code").asText()).as("%s answered %s", call, response.body())
                    .isIn(Arrays.stream(ErrorCode.values()).map(Enum::name).toList())
                    .isNotEqualTo("INTERNAL");
            assertThat(body.get("message").isTextual() && !body.get("message").asText().isBlank())
                    .as("%s answered %s", call, response.body()).isTrue();
        }
        Statistics.label("endpoint").collect(call.endpoint().toString());
        Statistics.label("status").collect(status);
    }

    private static HttpRequest request(Call call) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(parley.http() + call.path()))
                .timeout(Duration.ofSeconds(5))
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(call.body()))
                .header("Authorization", "Bearer " + httpUser.token);
        if (call.contentType() != null) {
            request.header("Content-Type", call.contentType());
        }
        if (call.accept() != null) {
            request.header("Accept", call.accept());
        }
        return request.build();
    }

    /** The application runs in this JVM: what its threads do tells why a call got no answer. */
    private static void dumpThreads() {
        StringBuilder dump = new StringBuilder("HostileInputTest: thread dump\n");
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (StackTraceElement frame : stack) {
                dump.append("    at ").append(frame).append('\n');
            }
        });
        System.out.println(dump);
    }

    /** One HTTP request: an endpoint with filled (perhaps hostile) path variables, query, headers and body. */
    record Call(Endpoint endpoint, String method, String path, String contentType, String accept, byte[] body,
                String bodyKind) {
        @Override
        public String toString() {
            String shown = body == null ? "no body" : bodyKind + " body of " + body.length + " bytes: "
                    + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
            return method + " " + (path.length() > 200 ? path.substring(0, 200) + "..." : path) + " ("
                    + endpoint + ", Content-Type " + contentType + ", Accept " + accept + ", " + shown + ")";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Call call && toString().equals(call.toString());
        }

        @Override
        public int hashCode() {
            return path.hashCode();
        }
    }

    @Provide
    Arbitrary<Call> calls() {
        return Arbitraries.of(endpoints).flatMap(endpoint -> Combinators.combine(
                pathOf(endpoint),
                queryOf(endpoint),
                Arbitraries.frequencyOf(
                        Tuple.of(9, Arbitraries.just(endpoint.method())),
                        Tuple.of(1, Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))),
                Arbitraries.frequencyOf(
                        Tuple.of(6, Arbitraries.just("application/json")),
                        Tuple.of(1, Arbitraries.just("")), // none
                        Tuple.of(3, Arbitraries.of("application/json;charset=UTF-8", "application/json; charset=utf-16",
                                "application/json;charset=no-such-charset", "text/plain", "application/xml",
                                "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
                                "application/octet-stream", "*/*", "garbage", "application/json, text/plain",
                                "application/x-ndjson", "text/event-stream", "application/*"))),
                Arbitraries.frequencyOf(
                        Tuple.of(8, Arbitraries.just("")), // none
                        Tuple.of(2, Arbitraries.of("application/json", "text/html", "application/xml", "*/*",
                                "garbage", "text/event-stream", "application/yaml"))),
                bodyOf(endpoint)
        ).as((path, query, method, contentType, accept, body) -> new Call(endpoint, method, path + query,
                contentType.isEmpty() ? null : contentType, accept.isEmpty() ? null : accept,
                body.get2(), body.get1())));
    }

    private Arbitrary<String> pathOf(Endpoint endpoint) {
        Arbitrary<String> conversation = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of(httpGroup, httpDirect)),
                Tuple.of(1, Arbitraries.just("g-" + UUID.randomUUID())),
                Tuple.of(2, hostileSegment()));
        Arbitrary<String> user = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(peer.userId, outsider.userId)),
                Tuple.of(2, hostileSegment()));
        Arbitrary<String> seq = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("1", "2", "3")),
                Tuple.of(2, Arbitraries.of("0", "-1", "9223372036854775807", "9223372036854775808", "1.5", "abc",
                        "1e3", "")),
                Tuple.of(1, hostileSegment()));
        return Combinators.combine(conversation, user, seq, hostileSegment()).as((id, userId, n, other) ->
                endpoint.path(name -> switch (name) {
                    case "id" -> id;
                    case "userId" -> userId;
                    case "seq" -> n;
                    default -> other;
                }));
    }

    private static Arbitrary<String> hostileSegment() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, unicode(0, 30)),
                Tuple.of(1, Arbitraries.integers().between(100, 400).map("x"::repeat)),
                Tuple.of(2, Arbitraries.of("..", ".", "%", " ", "null", "/", "\\", "%2F", ";x=1", "?", "#", "*")));
    }

    private static Arbitrary<String> queryOf(Endpoint endpoint) {
        Arbitrary<String> parameter = Combinators.combine(
                Arbitraries.of("before", "after", "limit", "query", "offset", "since", "junk"),
                Arbitraries.oneOf(Arbitraries.of("0", "1", "-1", "50", "201", "9223372036854775808", "abc", "", "1.5"),
                        unicode(0, 20))
        ).as((name, value) -> name + "=" + Endpoints.segment(value));
        Arbitrary<String> query = parameter.list().ofMaxSize(3)
                .map(list -> list.isEmpty() ? "" : "?" + String.join("&", list));
        return endpoint.method().equals("GET")
                ? Arbitraries.frequencyOf(Tuple.of(3, query), Tuple.of(1, Arbitraries.just(
                        endpoint.pattern().equals("/api/users") ? "?query=peer" : "")))
                : Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")), Tuple.of(1, query));
    }

    /** (kind, bytes or null). */
    private Arbitrary<Tuple.Tuple2<String, byte[]>> bodyOf(Endpoint endpoint) {
        ObjectNode valid = validBody(endpoint);
        Arbitrary<byte[]> mutated = mutation(BODY_FIELDS).list().ofMaxSize(3).map(changes -> {
            ObjectNode body = valid;
            for (UnaryOperator<ObjectNode> change : changes) {
                body = change.apply(body);
            }
            return wellFormed(write(body)).getBytes(StandardCharsets.UTF_8);
        });
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(Tuple.of("no", (byte[]) null))),
                Tuple.of(1, Arbitraries.just(Tuple.of("empty", new byte[0]))),
                Tuple.of(5, mutated.map(bytes -> Tuple.of("mutated", bytes))),
                Tuple.of(3, randomJson(3).map(node -> Tuple.of("random JSON",
                        wellFormed(write(node)).getBytes(StandardCharsets.UTF_8)))),
                Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(2000)
                        .map(bytes -> Tuple.of("random bytes", bytes))),
                Tuple.of(1, unicode(0, 100).map(text -> Tuple.of("text",
                        wellFormed(text).getBytes(StandardCharsets.UTF_8)))),
                Tuple.of(1, deeplyNested().map(text -> Tuple.of("deeply nested",
                        text.getBytes(StandardCharsets.UTF_8)))),
                Tuple.of(1, Arbitraries.integers().between(200 * 1024, 320 * 1024).map(size -> Tuple.of("huge",
                        ("{\"text\":\"" + "y".repeat(size) + "\"}").getBytes(StandardCharsets.UTF_8)))));
    }

    private ObjectNode validBody(Endpoint endpoint) {
        return switch (endpoint.toString()) {
            case "POST /api/users" -> json("username", "u" + UUID.randomUUID().toString().substring(0, 8),
                    "password", "correct horse battery", "displayName", "Fuzzed");
            case "POST /api/sessions" -> json("username", httpUser.username, "password", "not the password");
            case "POST /api/conversations/direct", "POST /api/conversations/{id}/members" ->
                    json("userId", outsider.userId);
            case "POST /api/conversations/groups" -> json("name", "Fuzz", "members", List.of(peer.userId));
            case "POST /api/conversations/{id}/messages" -> json("clientMsgId", "h-" + UUID.randomUUID(), "text", "hi");
            case "PATCH /api/conversations/{id}/messages/{seq}" -> json("text", "edited");
            case "POST /api/conversations/{id}/read" -> json("upToSeq", 1);
            default -> JSON.createObjectNode();
        };
    }

    // ============================================================================================ afterwards

    @Example
    void memoryStaysBoundedAndConnectionsAreReleased() throws Exception {
        // Sockets opened, hit with oversized and broken frames, then closed or dropped without a goodbye: each one
        // must leave the registry, and the heap must not keep what they sent.
        int before = openConnections();
        String big = "{\"type\":\"ping\",\"id\":\"" + "z".repeat(150 * 1024) + "\"}";
        for (int i = 0; i < 30; i++) {
            SocketClient socket = churn.connect(parley);
            await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() == before + 1);
            socket.sendText(big);
            socket.sendText("{not json");
            socket.sendText("{\"type\":\"send\",\"id\":\"c" + i + "\",\"conversationId\":\"" + socketGroup
                    + "\",\"text\":\"" + "w".repeat(5000) + "\"}");
            String probe = "churn-" + i;
            socket.send(json("type", "ping", "id", probe));
            socket.await(reply("pong", probe));
            if (i % 2 == 0) {
                socket.close();
            } else {
                socket.abort();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() == before);
        }
        assertThat(openConnections()).isEqualTo(before);
        assertThat(heapUsedAfterGc(heapAtBoot + HEAP_GROWTH_BOUND) - heapAtBoot)
                .as("heap growth after GC since boot, bytes").isLessThan(HEAP_GROWTH_BOUND);
    }

    /** The heap used after a GC; up to three GCs while it is at or above {@code enough}. */
    private static long heapUsedAfterGc(long enough) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3 && used >= enough; i++) {
            System.gc();
            Thread.sleep(200);
            used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
        return used;
    }

    /** The edge's count of open sockets (ConnectionRegistry#size, package-private: read reflectively). */
    private static int openConnections() {
        try {
            Class<?> type = Class.forName("io.parley.push.socket.ConnectionRegistry");
            Object registry = parley.bean(type);
            Method size = type.getDeclaredMethod("size");
            size.setAccessible(true);
            return (int) size.invoke(registry);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ConnectionRegistry#size is gone; update this test", e);
        }
    }

    // ============================================================================================ values

    /** Values a field should not have: wrong types, extremes, odd text, real ids in the wrong place, structures. */
    private Arbitrary<JsonNode> weird() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(NullNode.getInstance())),
                Tuple.of(1, Arbitraries.of(true, false).map(BooleanNode::valueOf)),
                Tuple.of(3, Arbitraries.longs().map(LongNode::valueOf)),
                Tuple.of(3, Arbitraries.of(0L, 1L, 2L, 3L, 4L, -1L, -100L, Long.MAX_VALUE, Long.MIN_VALUE,
                        Integer.MAX_VALUE + 1L).map(LongNode::valueOf)),
                Tuple.of(1, Arbitraries.bigIntegers().between(BigInteger.TWO.pow(63), BigInteger.TWO.pow(200))
                        .map(BigIntegerNode::valueOf)),
                Tuple.of(1, Arbitraries.of(1.0, 1.5, -0.0, 1e300, -1e-300, 3.0e10).map(DoubleNode::valueOf)),
                Tuple.of(3, unicode(0, 40).map(TextNode::valueOf)),
                Tuple.of(1, Arbitraries.integers().between(129, 20_000).map(n -> TextNode.valueOf("x".repeat(n)))),
                Tuple.of(2, Arbitraries.of(socketGroup, socketDirect, httpGroup, "g-" + UUID.randomUUID(),
                        peer.userId, "", " ", "1", "-1", "null", "true", "1e3").map(TextNode::valueOf)),
                Tuple.of(2, randomJson(2)));
    }

    /** Identifiers that are not: very long, empty, blank, unicode, control characters, look-alikes of real ones. */
    private Arbitrary<String> oddIds() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.integers().between(129, 20_000).map("c"::repeat)),
                Tuple.of(1, Arbitraries.integers().between(200, 300).map(n -> "d-" + "\u00e9".repeat(n))),
                Tuple.of(2, unicode(0, 40)),
                Tuple.of(1, Arbitraries.of("", " ", "\u0000", "g-", "d-", socketGroup + " ", socketGroup.toUpperCase(),
                        socketGroup + "\u0000", "%", "'; drop table users; --")));
    }

    private static Arbitrary<JsonNode> randomJson(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(NullNode.getInstance())),
                Tuple.of(1, Arbitraries.of(true, false).map(BooleanNode::valueOf)),
                Tuple.of(2, Arbitraries.longs().map(LongNode::valueOf)),
                Tuple.of(1, Arbitraries.doubles().map(DoubleNode::valueOf)),
                Tuple.of(3, unicode(0, 20).map(TextNode::valueOf)));
        if (depth <= 0) {
            return leaf;
        }
        Arbitrary<JsonNode> array = randomJson(depth - 1).list().ofMaxSize(4).map(values -> {
            ArrayNode node = JSON.createArrayNode();
            values.forEach(node::add);
            return node;
        });
        Arbitrary<String> key = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(FRAME_FIELDS)),
                Tuple.of(1, Arbitraries.of(BODY_FIELDS)),
                Tuple.of(2, unicode(0, 10)));
        Arbitrary<JsonNode> object = Combinators.combine(key.list().ofMaxSize(5), randomJson(depth - 1).list().ofSize(5))
                .as((keys, values) -> {
                    ObjectNode node = JSON.createObjectNode();
                    for (int i = 0; i < keys.size(); i++) {
                        node.set(keys.get(i), values.get(i));
                    }
                    return node;
                });
        return Arbitraries.frequencyOf(Tuple.of(3, leaf), Tuple.of(1, array), Tuple.of(2, object));
    }

    /** Any characters, surrogates included (lone ones are repaired before sending: the JDK client refuses them). */
    private static Arbitrary<String> unicode(int min, int max) {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMinLength(min).ofMaxLength(max),
                Arbitraries.strings().withCharRange('\u0000', '\u007f').ofMinLength(min).ofMaxLength(max),
                Arbitraries.strings().withChars("\u0000\n\"\\{}[]:,\u2028\u202e\uFEFF\uD83D\uDE00é€ẞ\u0301")
                        .ofMinLength(min).ofMaxLength(max));
    }

    /** The text with lone surrogates replaced, so that it can be encoded as UTF-8 at all. */
    static String wellFormed(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String write(JsonNode node) {
        return node.toString();
    }

    /** Non-ASCII as \\u escapes: lone surrogates reach the server this way. */
    private static String writeAscii(JsonNode node) {
        try {
            return ASCII_JSON.writeValueAsString(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static SocketClient socket(int slot) {
        SocketClient socket = pool.get(slot);
        if (socket == null || !socket.isOpen()) {
            socket = socketUser.connect(parley);
            pool.set(slot, socket);
        }
        return socket;
    }

    private static String group(ParleyClient owner) {
        ParleyClient.Response created = owner.call("POST", "/api/conversations/groups",
                json("name", "Fuzz " + owner.username, "members", List.of(peer.userId)));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return created.body().get("conversationId").asText();
    }
}
