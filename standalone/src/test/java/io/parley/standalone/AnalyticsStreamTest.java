package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The analytics event stream: tokens, resumption, live tail, type filter, no text; and the example consumer. */
class AnalyticsStreamTest {

    static RunningParley parley;
    static ParleyClient analyst;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-streams"), "parley.roles.analysts=analyst_one");
        analyst = ParleyClient.signUpExactly(parley, "analyst_one");
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void theStreamIsOrderedByTokenResumableLiveAndCarriesNoText() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        for (int i = 1; i <= 3; i++) {
            alice.call("POST", "/api/conversations/" + conversation + "/messages", json("clientMsgId", "m" + i, "text", "private words " + i));
        }
        assertThat(alice.call("GET", "/api/streams/events", null).status()).isEqualTo(403);

        List<JsonNode> all = read("/api/streams/events?types=MessageSent", 3);
        assertThat(all).allSatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("MessageSent");
            assertThat(e.get("payload").has("text")).isFalse();
            assertThat(e.get("metadata").get("userId").asText()).isNotBlank();
        });
        assertThat(all.toString()).doesNotContain("private words");
        List<Long> tokens = all.stream().map(e -> e.get("token").asLong()).toList();
        assertThat(tokens).isSorted().doesNotHaveDuplicates();

        // resume after the first: the next two, then live
        CompletableFuture<List<JsonNode>> resumed = CompletableFuture.supplyAsync(
                () -> read("/api/streams/events?types=MessageSent&after=" + tokens.get(0), 3));
        Thread.sleep(500);
        alice.call("POST", "/api/conversations/" + conversation + "/messages", json("clientMsgId", "live", "text", "live one"));
        List<JsonNode> tail = resumed.get(20, TimeUnit.SECONDS);
        assertThat(tail.subList(0, 2)).extracting(e -> e.get("token").asLong()).containsExactlyElementsOf(tokens.subList(1, 3));
        assertThat(tail.get(2).get("payload").get("seq").asLong()).isEqualTo(4);

        // an SSE client reconnecting sends Last-Event-ID instead
        HttpResponse<Stream<String>> again = HTTP.send(HttpRequest.newBuilder(URI.create(parley.http()
                        + "/api/streams/events?types=MessageSent")).header("Authorization", "Bearer " + analyst.token)
                .header("Last-Event-ID", Long.toString(tokens.get(1))).GET().build(), HttpResponse.BodyHandlers.ofLines());
        String firstId = CompletableFuture.supplyAsync(() -> again.body().filter(l -> l.startsWith("id:")).findFirst()
                .orElseThrow()).get(20, TimeUnit.SECONDS);
        again.body().close();
        assertThat(firstId.substring(3).trim()).isEqualTo(Long.toString(tokens.get(2)));

        // all types, from the start: users and conversations too
        List<JsonNode> first = read("/api/streams/events", 2);
        assertThat(first.get(0).get("token").asLong()).isLessThan(first.get(1).get("token").asLong());
    }

    @Test
    void theExampleConsumerCountsMessagesPerHourAndResumesAfterItsRestart() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "carol");
        ParleyClient bob = ParleyClient.signUp(parley, "dave");
        String c1 = alice.openDirectWith(bob);
        ParleyClient.Response group = alice.call("POST", "/api/conversations/groups",
                json("name", "g", "members", List.of(bob.userId)));
        String c2 = group.body().get("conversationId").asText();
        Path state = Files.createTempDirectory("consumer").resolve("state");

        // the stream is global: counts for other tests' conversations are there too; only ours are checked
        for (int i = 0; i < 5; i++) {
            alice.call("POST", "/api/conversations/" + c1 + "/messages", json("clientMsgId", "a" + i, "text", "x"));
        }
        for (int i = 0; i < 2; i++) {
            bob.call("POST", "/api/conversations/" + c2 + "/messages", json("clientMsgId", "b" + i, "text", "y"));
        }
        String hour = Instant.now().truncatedTo(ChronoUnit.HOURS).toString();
        // first run stops after 4 events ("crash"), the second resumes from the saved token
        runConsumer(state, "--max-events", "4");
        assertThat(Files.readString(state)).startsWith("token=");
        List<String> report = runConsumer(state, "--idle-seconds", "3");
        assertThat(report).contains(c1 + "," + hour + ",5", c2 + "," + hour + ",2");
        // a third run counts nothing again
        assertThat(runConsumer(state, "--idle-seconds", "2")).contains(c1 + "," + hour + ",5");
    }

    private static List<String> runConsumer(Path state, String... extra) throws Exception {
        Path source = Path.of("..", "examples", "analytics-consumer", "MessagesPerHour.java").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(), parley.http(), analyst.token, state.toString()));
        command.addAll(List.of(extra));
        Path log = Files.createTempFile("consumer", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log);
        assertThat(exited).as("the consumer did not exit: " + output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().toList();
    }

    /** The first {@code count} lines of a (never-ending) stream. */
    private static List<JsonNode> read(String path, int count) {
        try {
            HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(URI.create(parley.http() + path))
                    .header("Authorization", "Bearer " + analyst.token).GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            List<JsonNode> lines = new ArrayList<>();
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            CompletableFuture.runAsync(() -> response.body().filter(l -> l.startsWith("data:")).limit(count).forEach(l -> {
                try {
                    lines.add(ParleyClient.JSON.readTree(l.substring(5)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            })).get(20, TimeUnit.SECONDS);
            response.body().close();
            return lines;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
