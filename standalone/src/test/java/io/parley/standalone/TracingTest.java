package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.standalone.OtlpReceiver.ExportedSpan;
import org.axonframework.tracing.NoOpSpanFactory;
import org.axonframework.tracing.SpanFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Following one message (README, "Tracing and logs"): a client's W3C {@code traceparent}, on a socket frame or an HTTP
 * request, is continued by the edge, the command handler, the projections and the live fan-out, and the spans reach a
 * real OTLP/HTTP receiver; log lines name the trace and the correlation id; logs are JSON when asked, and never carry
 * a message's text.
 */
@ExtendWith(OutputCaptureExtension.class)
class TracingTest {

    static final String SOCKET_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SOCKET_PARENT = "00f067aa0ba902b7";
    static final String HTTP_TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final String HTTP_PARENT = "b7ad6b7169203331";
    static final String PROBE_TRACE = "5c0a2e1f3b4d4c6e8f9a0b1c2d3e4f50";
    static final String SECRET_TEXT = "the eagle lands at midnight";

    @TempDir
    Path dataDir;

    /** Boot keeps the structured format in a system property that would outlive the application that set it. */
    @AfterEach
    void plainTextForTheNextApplication() {
        System.clearProperty("CONSOLE_LOG_STRUCTURED_FORMAT");
    }

    @Test
    void aMessageSentWithATraceparentIsTracedFromTheEdgeThroughTheCommandToTheProjectionsAndTheFanOut(
            CapturedOutput output) throws Exception {
        try (OtlpReceiver otlp = OtlpReceiver.start();
             RunningParley parley = RunningParley.start(dataDir,
                     "management.otlp.tracing.endpoint=" + otlp.endpoint(),
                     // nothing is sampled but what a client asked for: every exported span is one of the two traces
                     "management.tracing.sampling.probability=0",
                     "management.tracing.opentelemetry.export.schedule-delay=100ms",
                     // an operator turning up a logger inside the command handler sees the trace on its lines
                     "logging.level.org.axonframework.commandhandling.SimpleCommandBus=debug")) {
            // a load balancer's probe, even one that asks for its trace to be kept, is not what is traced
            HttpResponse<String> probe = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(parley.http() + "/actuator/health/readiness")).timeout(Duration.ofSeconds(10))
                    .header("traceparent", traceparent(PROBE_TRACE, HTTP_PARENT)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode()).as(probe.body()).isEqualTo(200);
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            try (SocketClient aliceSocket = alice.connect(parley); SocketClient bobSocket = bob.connect(parley)) {
                aliceSocket.send(json("type", "send", "id", "traced", "conversationId", conversation,
                        "text", SECRET_TEXT, "traceparent", traceparent(SOCKET_TRACE, SOCKET_PARENT)));
                aliceSocket.send(json("type", "send", "id", "untraced", "conversationId", conversation,
                        "text", "not traced"));
                aliceSocket.await(reply("ack", "traced"));
                aliceSocket.await(reply("ack", "untraced"));

                HttpResponse<String> posted = post(parley, alice, "/api/conversations/" + conversation + "/messages",
                        json("clientMsgId", "over-http", "text", SECRET_TEXT).toString(),
                        traceparent(HTTP_TRACE, HTTP_PARENT));
                assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
                await().atMost(Duration.ofSeconds(30)).until(() -> bobSocket.frames(type("message")).size() == 3);

                // a malformed trace context on a frame is refused with the reason; the socket stays open
                aliceSocket.send(json("type", "send", "id", "bad-trace", "conversationId", conversation,
                        "text", "x", "traceparent", "00-not-a-trace"));
                JsonNode refused = aliceSocket.await(reply("error", "bad-trace"));
                assertThat(refused.get("code").asText()).isEqualTo("BAD_FRAME");
                assertThat(refused.get("message").asText()).contains("traceparent");
            }

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertTraced(otlp.spansOf(SOCKET_TRACE), SOCKET_PARENT);
                assertTraced(otlp.spansOf(HTTP_TRACE), HTTP_PARENT);
                assertThat(names(otlp.spansOf(HTTP_TRACE))).as("the edge's HTTP span")
                        .anyMatch(name -> name.startsWith("http post"));
            });
            assertThat(otlp.spans()).as("unsampled messages and the probe leave no span")
                    .extracting(ExportedSpan::traceId)
                    .containsOnly(SOCKET_TRACE, HTTP_TRACE);

            Pattern traced = Pattern.compile("\\[" + SOCKET_TRACE + ",[0-9a-f]{16},[0-9a-f-]{36}] .*Handling command");
            assertThat(output.getOut().lines()).as("a log line with the trace, span and correlation ids")
                    .anyMatch(line -> traced.matcher(line).find());
            assertThat(output.getAll()).as("message text is never logged").doesNotContain(SECRET_TEXT);
        }
    }

    @Test
    void logsAreJsonWhenAskedCarryingTheTraceButNeverTheMessageText(CapturedOutput output) throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir,
                "logging.structured.format.console=ecs",
                // trace ids in the logs without any exporter
                "management.tracing.enabled=true",
                "management.tracing.sampling.probability=0",
                "logging.level.org.axonframework.commandhandling.SimpleCommandBus=debug")) {
            // a load balancer's probe, even one that asks for its trace to be kept, is not what is traced
            HttpResponse<String> probe = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(parley.http() + "/actuator/health/readiness")).timeout(Duration.ofSeconds(10))
                    .header("traceparent", traceparent(PROBE_TRACE, HTTP_PARENT)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode()).as(probe.body()).isEqualTo(200);
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            try (SocketClient aliceSocket = alice.connect(parley)) {
                aliceSocket.send(json("type", "send", "id", "traced", "conversationId", conversation,
                        "text", SECRET_TEXT, "traceparent", traceparent(SOCKET_TRACE, SOCKET_PARENT)));
                aliceSocket.await(reply("ack", "traced"));
            }
            List<JsonNode> lines = jsonLines(output.getOut());
            assertThat(lines).as("JSON lines").isNotEmpty();
            assertThat(lines).allSatisfy(line -> assertThat(line.has("@timestamp") && line.at("/log/level").isTextual()
                    && line.has("message") && line.at("/ecs/version").isTextual()).as(line.toString()).isTrue());
            assertThat(lines).as("the command handler's line, with its trace and correlation id")
                    .anySatisfy(line -> {
                        assertThat(line.get("message").asText()).contains("Handling command");
                        assertThat(line.path("traceId").asText()).isEqualTo(SOCKET_TRACE);
                        assertThat(line.path("spanId").asText()).hasSize(16);
                        assertThat(line.path("correlationId").asText()).hasSize(36);
                    });
            assertThat(output.getAll()).as("message text is never logged").doesNotContain(SECRET_TEXT);
        }
    }

    @Test
    void withoutAnExporterTracingIsOffAndAxonKeepsItsNoOpSpans() {
        try (RunningParley parley = RunningParley.start(dataDir)) {
            assertThat(parley.bean(SpanFactory.class)).isInstanceOf(NoOpSpanFactory.class);
        }
    }

    private static void assertTraced(List<ExportedSpan> spans, String clientSpan) {
        List<String> names = names(spans);
        assertThat(spans).as("the edge continues the client's span: %s", names)
                .anyMatch(span -> span.parentSpanId().equals(clientSpan));
        assertThat(names).as("edge dispatch, command handler, projection, fan-out")
                .contains("CommandBus.dispatchCommand", "CommandBus.handleCommand", "EventFanout.deliver")
                .anyMatch(name -> name.startsWith("StreamingEventProcessor.process"));
        // one trace: every span but the first hangs off another span of the trace or the client's
        List<String> ids = new ArrayList<>(spans.stream().map(ExportedSpan::spanId).toList());
        ids.add(clientSpan);
        assertThat(spans).allMatch(span -> ids.contains(span.parentSpanId()), "parented within the trace");
    }

    private static List<String> names(List<ExportedSpan> spans) {
        return spans.stream().map(ExportedSpan::name).toList();
    }

    private static String traceparent(String traceId, String parentId) {
        return "00-" + traceId + "-" + parentId + "-01";
    }

    private static HttpResponse<String> post(RunningParley parley, ParleyClient client, String path, String body,
                                             String traceparent) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(parley.http() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + client.token)
                .header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static List<JsonNode> jsonLines(String out) {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith("{")) {
                try {
                    lines.add(mapper.readTree(line));
                } catch (Exception e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            }
        }
        return lines;
    }
}
