package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static org.assertj.core.api.Assertions.assertThat;

/** Auditors read a conversation's history from the event store: events with origins, time travel, tamper evidence. */
class AuditTrailTest {

    static Path dataDir;
    static RunningParley parley;
    static ParleyClient auditor;

    @BeforeAll
    static void boot() throws Exception {
        dataDir = Files.createTempDirectory("parley-audit");
        parley = RunningParley.start(dataDir, "parley.roles.auditors=auditor_one");
        auditor = ParleyClient.signUpExactly(parley, "auditor_one");
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void anAuditorReadsEveryEventWithWhoCausedItAndAChainedHash() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        assertThat(alice.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", "m1", "text", "over http")).status()).isEqualTo(201);
        String socketSession;
        try (SocketClient socket = bob.connect(parley)) {
            socket.send(json("type", "send", "id", "s1", "conversationId", conversation, "text", "over the socket"));
            socket.await(reply("ack", "s1"));
        }

        assertThat(bob.call("GET", "/api/audit/conversations/" + conversation + "/events", null).status())
                .isEqualTo(403);
        List<JsonNode> events = ndjson(auditor, "/api/audit/conversations/" + conversation + "/events");
        assertThat(events).extracting(e -> e.get("type").asText())
                .containsExactly("DirectConversationOpened", "MessageSent", "MessageSent");
        JsonNode opened = events.get(0);
        assertThat(opened.get("sequence").asLong()).isZero();
        assertThat(opened.get("revision").asText()).isEqualTo("1");
        assertThat(opened.get("globalIndex").asLong()).isPositive();
        JsonNode httpSend = events.get(1);
        assertThat(httpSend.get("payload").get("text").asText()).isEqualTo("over http");
        JsonNode meta = httpSend.get("metadata");
        assertThat(meta.get("userId").asText()).isEqualTo(alice.userId);
        assertThat(meta.get("connectionId").asText()).isEqualTo("http");
        assertThat(meta.get("clientAddress").asText()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(meta.get("correlationId").asText()).isNotBlank();
        assertThat(meta.get("causationId").asText()).isNotBlank();
        assertThat(meta.get("prevHash").asText()).isEqualTo(opened.get("metadata").get("hash").asText());
        assertThat(meta.get("hash").asText()).hasSize(64);
        assertThat(meta.toString()).doesNotContain(alice.token);
        JsonNode socketMeta = events.get(2).get("metadata");
        assertThat(socketMeta.get("userId").asText()).isEqualTo(bob.userId);
        assertThat(socketMeta.get("connectionId").asText()).isNotEqualTo("http").isNotBlank();
        assertThat(events.get(2).get("globalIndex").asLong()).isGreaterThan(httpSend.get("globalIndex").asLong());

        // the time filter
        Instant sent = Instant.parse(events.get(2).get("timestamp").asText());
        assertThat(ndjson(auditor, "/api/audit/conversations/" + conversation + "/events?from=" + sent))
                .hasSize(1);

        // the auditor's reads are recorded
        ParleyClient.Response access = auditor.call("GET", "/api/audit/access", null);
        assertThat(access.status()).isEqualTo(200);
        assertThat(access.body().toString()).contains(conversation).contains(auditor.userId);
    }

    @Test
    void theStateAsOfATimeShowsTheTextAMessageHadThen() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        alice.call("POST", "/api/conversations/" + conversation + "/messages", json("clientMsgId", "m1", "text", "first draft"));
        Thread.sleep(20);
        Instant beforeEdit = Instant.now();
        Thread.sleep(20);
        assertThat(alice.call("PATCH", "/api/conversations/" + conversation + "/messages/1",
                json("text", "final words")).status()).isEqualTo(204);
        alice.call("POST", "/api/conversations/" + conversation + "/messages", json("clientMsgId", "m2", "text", "gone soon"));
        assertThat(alice.call("DELETE", "/api/conversations/" + conversation + "/messages/2", null).status())
                .isEqualTo(204);

        JsonNode then = auditor.call("GET", "/api/audit/conversations/" + conversation + "/state?asOf=" + beforeEdit,
                null).body();
        assertThat(then.get("members")).hasSize(2);
        assertThat(then.get("messages")).hasSize(1);
        assertThat(then.get("messages").get(0).get("text").asText()).isEqualTo("first draft");

        JsonNode now = auditor.call("GET", "/api/audit/conversations/" + conversation + "/state", null).body();
        assertThat(now.get("messages").get(0).get("text").asText()).isEqualTo("final words");
        assertThat(now.get("messages").get(1).get("deleted").asBoolean()).isTrue();
        assertThat(alice.call("GET", "/api/audit/conversations/" + conversation + "/state", null).status())
                .isEqualTo(403);
    }

    /**
     * Someone with the disk rewrites a stored event in the event log (the default store): the sender of message 2,
     * the same number of bytes, so the file still reads. The chain no longer matches there.
     */
    @Test
    void verificationNamesTheFirstEventAlteredInTheLog() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = fourMessagesVerified(alice, bob, auditor);

        Path log = dataDir.resolve("events/events.log");
        byte[] stored = Files.readAllBytes(log);
        byte[] original = ("\"seq\":2,\"senderId\":\"" + alice.userId + "\"").getBytes(StandardCharsets.UTF_8);
        byte[] altered = ("\"seq\":2,\"senderId\":\"" + bob.userId + "\"").getBytes(StandardCharsets.UTF_8);
        assertThat(altered).hasSameSizeAs(original);
        int at = indexOf(stored, original, 0);
        assertThat(at).as("message 2's event in %s", log).isNotNegative();
        assertThat(indexOf(stored, original, at + 1)).as("once").isNegative();
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(altered), at);
        }
        JsonNode broken = auditor.call("GET", "/api/audit/conversations/" + conversation + "/verify", null).body();
        assertThat(broken.get("valid").asBoolean()).as(broken.toString()).isFalse();
        assertThat(broken.get("brokenAtSequence").asLong()).isEqualTo(2);
        assertThat(broken.get("reason").asText()).contains("hash");
    }

    /** A conversation of alice's with bob, four messages from her, its chain verified whole (5 events). */
    static String fourMessagesVerified(ParleyClient alice, ParleyClient bob, ParleyClient auditor) {
        String conversation = alice.openDirectWith(bob);
        for (int i = 1; i <= 4; i++) {
            alice.call("POST", "/api/conversations/" + conversation + "/messages",
                    json("clientMsgId", "m" + i, "text", "n" + i));
        }
        JsonNode ok = auditor.call("GET", "/api/audit/conversations/" + conversation + "/verify", null).body();
        assertThat(ok.get("valid").asBoolean()).as(ok.toString()).isTrue();
        assertThat(ok.get("events").asLong()).isEqualTo(5);
        return conversation;
    }

    private static int indexOf(byte[] bytes, byte[] part, int from) {
        for (int i = from; i <= bytes.length - part.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }

    static List<JsonNode> ndjson(ParleyClient client, String path) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(client.base + path)).timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Bearer " + client.token).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        List<JsonNode> lines = new ArrayList<>();
        response.body().filter(line -> !line.isBlank()).forEach(line -> {
            try {
                lines.add(ParleyClient.JSON.readTree(line));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return lines;
    }
}
