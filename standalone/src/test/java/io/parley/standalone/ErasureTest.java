package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.eventstore.audit.EventHistory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crypto-shredding end to end: message text is stored encrypted; erasing a user destroys their key, after which the
 * history, the audit views and the analytics stream show their text as erased, while the hash chain still verifies.
 */
class ErasureTest {

    static RunningParley parley;
    static ParleyClient auditor;
    static ParleyClient operator;

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-erasure"),
                "parley.roles.auditors=erasure_auditor", "parley.roles.admins=erasure_admin");
        auditor = ParleyClient.signUpExactly(parley, "erasure_auditor");
        operator = ParleyClient.signUpExactly(parley, "erasure_admin");
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void anErasedUsersTextIsGoneEverywhereAndTheChainStillVerifies() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        String path = "/api/conversations/" + conversation + "/messages";
        assertThat(alice.call("POST", path, json("clientMsgId", "a1", "text", "my secret plan")).status()).isEqualTo(201);
        assertThat(alice.call("PATCH", path + "/1", json("text", "my secret plan, revised")).status()).isEqualTo(204);
        assertThat(bob.call("POST", path, json("clientMsgId", "b1", "text", "sounds good")).status()).isEqualTo(201);

        // stored encrypted, read in plain text
        assertThat(storedPayloads(conversation)).isNotEmpty().noneMatch(p -> p.contains("secret") || p.contains("sounds good"));
        await().atMost(Duration.ofSeconds(10)).until(() -> texts(bob, path).size() == 2);
        assertThat(texts(bob, path)).containsExactly("my secret plan, revised", "sounds good");

        // only the user themself or an admin
        assertThat(bob.call("DELETE", "/api/users/" + alice.userId + "/data", null).status()).isEqualTo(403);
        ParleyClient.Response erased = alice.call("DELETE", "/api/users/" + alice.userId + "/data", null);
        assertThat(erased.status()).isEqualTo(202);
        assertThat(erased.body().get("keysErased").asInt()).isEqualTo(1);

        // the read model is rebuilt without alice's text; bob's stays
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            List<String> texts = texts(bob, path);
            return texts.size() == 2 && texts.get(0) == null && "sounds good".equals(texts.get(1));
        });

        List<JsonNode> events = AuditTrailTest.ndjson(auditor, "/api/audit/conversations/" + conversation + "/events");
        JsonNode sent = events.stream().filter(e -> e.get("type").asText().equals("MessageSent")).findFirst().orElseThrow();
        assertThat(sent.get("payload").get("text").isNull()).isTrue();
        assertThat(sent.get("payload").get("erased").asBoolean()).isTrue();
        assertThat(events.toString()).doesNotContain("secret").contains("sounds good");
        JsonNode state = auditor.call("GET", "/api/audit/conversations/" + conversation + "/state", null).body();
        assertThat(state.get("messages").get(0).get("erased").asBoolean()).isTrue();
        assertThat(state.get("messages").get(0).get("text").isNull()).isTrue();
        assertThat(state.get("messages").get(1).get("text").asText()).isEqualTo("sounds good");

        JsonNode verified = auditor.call("GET", "/api/audit/conversations/" + conversation + "/verify", null).body();
        assertThat(verified.get("valid").asBoolean()).as(verified.toString()).isTrue();

        // erasing ended alice's sessions (RevocationTest); once logged in again she can still write, with a new key
        assertThat(alice.call("POST", path, json("clientMsgId", "a2", "text", "fresh start")).status()).isEqualTo(401);
        alice.logIn(parley);
        assertThat(alice.call("POST", path, json("clientMsgId", "a2", "text", "fresh start")).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> texts(bob, path).contains("fresh start"));
        // an admin may erase anyone
        assertThat(operator.call("DELETE", "/api/users/" + bob.userId + "/data", null).status()).isEqualTo(202);
    }

    /** Issue 19, item 4: an id that names no user is 404, as OpenAPI says; a user with nothing to erase is 202. */
    @Test
    void erasingAUserWhoDoesNotExistIsNotFound() {
        ParleyClient.Response missing = operator.call("DELETE", "/api/users/no-such-user-" + System.nanoTime()
                + "/data", null);
        assertThat(missing.status()).as(missing.toString()).isEqualTo(404);
        assertThat(missing.body().get("code").asText()).isEqualTo("NOT_FOUND");

        ParleyClient quiet = ParleyClient.signUp(parley, "quiet");
        ParleyClient.Response nothing = operator.call("DELETE", "/api/users/" + quiet.userId + "/data", null);
        assertThat(nothing.status()).as("a user who never wrote").isEqualTo(202);
        assertThat(nothing.body().get("keysErased").asInt()).isZero();
    }

    /**
     * Issue 19, item 4: the status of a rebuild names a rate and the time left whenever it has measured one (never a
     * rate of 0 with progress made), and 0 s left once caught up.
     */
    @Test
    void aRebuildsStatusHasARateWhenItHasProgressedAndNothingLeftOnceCaughtUp() {
        ParleyClient alice = ParleyClient.signUp(parley, "rebuilder");
        ParleyClient bob = ParleyClient.signUp(parley, "watcher");
        String conversation = alice.openDirectWith(bob);
        for (int i = 0; i < 40; i++) {
            assertThat(alice.call("POST", "/api/conversations/" + conversation + "/messages",
                    json("clientMsgId", "r" + i, "text", "to replay " + i)).status()).isEqualTo(201);
        }
        String status = "/api/admin/projections/conversation-projection";
        long warm = System.nanoTime();
        JsonNode before = operator.call("GET", status, null).body();
        System.out.printf("status call before the rebuild: %d ms (%s)%n", (System.nanoTime() - warm) / 1_000_000,
                before);
        assertThat(operator.call("POST", status + "/rebuild", null).status()).isEqualTo(202);
        long started = System.nanoTime();
        JsonNode first = operator.call("GET", status, null).body();
        long firstMillis = (System.nanoTime() - started) / 1_000_000;
        long again = System.nanoTime();
        operator.call("GET", status, null);
        System.out.printf("status calls after a rebuild: first %d ms, second %d ms (%s)%n", firstMillis,
                (System.nanoTime() - again) / 1_000_000, first);
        List<JsonNode> seen = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode now = operator.call("GET", status, null).body();
            seen.add(now);
            return now.get("caughtUp").asBoolean() && !now.get("replaying").asBoolean();
        });
        JsonNode done = seen.get(seen.size() - 1);
        assertThat(done.get("secondsLeft").asLong()).as(done.toString()).isZero();
        assertThat(done.get("position").asLong()).isGreaterThanOrEqualTo(done.get("head").asLong());
        assertThat(seen).as("while replaying with progress made").filteredOn(s -> s.get("replaying").asBoolean()
                        && s.get("position").asLong() > 0)
                .allSatisfy(s -> {
                    assertThat(s.get("eventsPerSecond").asDouble()).isPositive();
                    assertThat(s.get("secondsLeft").isNull()).isFalse();
                });
        await().atMost(Duration.ofSeconds(10)).until(() -> texts(bob, "/api/conversations/" + conversation
                + "/messages").size() == 40);
    }

    private static List<String> texts(ParleyClient client, String path) {
        ParleyClient.Response page = client.call("GET", path, null);
        if (page.status() != 200) {
            throw new IllegalStateException("history not readable: " + page);
        }
        List<String> texts = new java.util.ArrayList<>();
        page.body().get("messages").forEach(m -> texts.add(m.get("text") == null || m.get("text").isNull()
                ? null : m.get("text").asText()));
        return texts;
    }

    /** The conversation's events' payloads as stored (the table or the log), read as audit reads them. */
    private static List<String> storedPayloads(String conversation) {
        return parley.bean(EventHistory.class).page(conversation, -1, Integer.MAX_VALUE).stream()
                .map(event -> new String(event.payload(), StandardCharsets.UTF_8)).toList();
    }
}
