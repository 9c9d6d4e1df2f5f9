package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One input policy at both doors (issue 12): a value must have its JSON type (nothing is coerced or truncated) and
 * text must be well-formed (a lone surrogate is refused, never replaced). The same fault gets the same answer over
 * HTTP (400 {@code BAD_REQUEST}) and on the socket ({@code error} frame {@code BAD_FRAME} echoing the frame's id),
 * with the same message, and nothing is stored. Bodies and frames are written as raw JSON text, so that {@code 2.0}
 * and {@code \ud800} reach the server exactly as written.
 */
class InputPolicyTest {

    static RunningParley parley;
    static ParleyClient alice;
    static ParleyClient bob;
    static ParleyClient admin;
    static SocketClient socket;
    static final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-input-policy"), "parley.roles.admins=input_admin",
                "parley.limits.http-per-second=1000", "parley.limits.http-burst=1000",
                "parley.limits.sends-per-second=1000", "parley.limits.sends-burst=1000");
        alice = ParleyClient.signUp(parley, "alice");
        bob = ParleyClient.signUp(parley, "bob");
        admin = ParleyClient.signUpExactly(parley, "input_admin");
        socket = alice.connect(parley);
    }

    @AfterAll
    static void stop() {
        if (socket != null) {
            socket.close();
        }
        parley.close();
    }

    @Test
    void aFractionalSeqIsRefusedAtBothDoorsAndNoCursorMoves() {
        String group = groupWithThreeMessages();
        for (String seq : List.of("2.9", "2.0", "1e0")) {
            assertSameRefusal(alice.raw("POST", "/api/conversations/" + group + "/read", "{\"upToSeq\":" + seq + "}",
                            alice.token),
                    "{\"type\":\"read\",\"conversationId\":\"" + group + "\",\"upToSeq\":" + seq + "}",
                    "'upToSeq': must be an integer");
            assertRefusedOnSocket("{\"type\":\"delivered\",\"conversationId\":\"" + group + "\",\"upToSeq\":" + seq + "}");
        }
        assertReadCursorStartsFromNothing(group);
    }

    @Test
    void aSeqWrittenAsAStringIsRefusedAtBothDoorsAndNoCursorMoves() {
        String group = groupWithThreeMessages();
        for (String seq : List.of("\"2\"", "\" 3\"", "\"\"")) {
            assertSameRefusal(alice.raw("POST", "/api/conversations/" + group + "/read", "{\"upToSeq\":" + seq + "}",
                            alice.token),
                    "{\"type\":\"read\",\"conversationId\":\"" + group + "\",\"upToSeq\":" + seq + "}",
                    "'upToSeq': must be an integer");
        }
        assertReadCursorStartsFromNothing(group);
    }

    @Test
    void aNumberOrBooleanWhereTextBelongsIsRefusedAtBothDoorsAndNothingIsStored() {
        String group = groupWithThreeMessages();
        for (String text : List.of("12345", "1.5", "true")) {
            assertSameRefusal(alice.raw("POST", "/api/conversations/" + group + "/messages",
                            "{\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":" + text + "}", alice.token),
                    "{\"type\":\"send\",\"conversationId\":\"" + group + "\",\"text\":" + text + "}",
                    "'text': must be a string");
            assertSameRefusal(alice.raw("PATCH", "/api/conversations/" + group + "/messages/1",
                            "{\"text\":" + text + "}", alice.token),
                    "{\"type\":\"edit\",\"conversationId\":\"" + group + "\",\"seq\":1,\"text\":" + text + "}",
                    "'text': must be a string");
        }
        assertRefusedOnSocket("{\"type\":\"delete\",\"conversationId\":\"" + group + "\",\"seq\":\"1\"}");
        assertNothingStored(group);
    }

    @Test
    void aLoneSurrogateInTextIsRefusedAtBothDoorsInsteadOfBeingReplaced() {
        String group = groupWithThreeMessages();
        for (String text : List.of("\\ud800", "a\\ud800b", "\\udc00", "\\ude00\\ud83d", "\\ud83d\\ud83d")) {
            assertSameRefusal(alice.raw("POST", "/api/conversations/" + group + "/messages",
                            "{\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"" + text + "\"}", alice.token),
                    "{\"type\":\"send\",\"conversationId\":\"" + group + "\",\"text\":\"" + text + "\"}",
                    "'text': must be well-formed Unicode");
            assertSameRefusal(alice.raw("PATCH", "/api/conversations/" + group + "/messages/1",
                            "{\"text\":\"" + text + "\"}", alice.token),
                    "{\"type\":\"edit\",\"conversationId\":\"" + group + "\",\"seq\":1,\"text\":\"" + text + "\"}",
                    "'text': must be well-formed Unicode");
        }
        assertNothingStored(group);

        // A surrogate pair is one character (here U+1F600), escaped or not: stored and read back unchanged.
        ParleyClient.Response overHttp = alice.raw("POST", "/api/conversations/" + group + "/messages",
                "{\"clientMsgId\":\"pair-http\",\"text\":\"smile \\ud83d\\ude00\"}", alice.token);
        assertThat(overHttp.status()).as("%s", overHttp).isEqualTo(201);
        String id = "pair-socket";
        socket.sendText("{\"type\":\"send\",\"id\":\"" + id + "\",\"conversationId\":\"" + group
                + "\",\"text\":\"smile \\ud83d\\ude00\"}");
        socket.await(reply("ack", id));
        await().atMost(Duration.ofSeconds(10)).until(() -> texts(group).size() == 6);
        assertThat(texts(group).subList(4, 6)).containsExactly("smile \uD83D\uDE00", "smile \uD83D\uDE00");
    }

    @Test
    void everyJsonBodyOverHttpRefusesAMistypedValueOrALoneSurrogate() {
        String group = groupWithThreeMessages();
        String conversation = "/api/conversations/" + group;
        record Body(ParleyClient caller, String method, String path, String body, String fault) {
        }
        List<Body> bodies = List.of(
                new Body(null, "POST", "/api/users",
                        "{\"username\":12345678,\"password\":\"correct horse battery\",\"displayName\":\"N\"}",
                        "'username': must be a string"),
                new Body(null, "POST", "/api/users", "{\"username\":\"u" + ids.incrementAndGet()
                        + "x\",\"password\":\"correct horse battery\",\"displayName\":\"a\\udc00\"}",
                        "'displayName': must be well-formed Unicode"),
                new Body(null, "POST", "/api/sessions", "{\"username\":" + 1 + ",\"password\":\"x\"}",
                        "'username': must be a string"),
                new Body(alice, "POST", "/api/conversations/direct", "{\"userId\":true}", "'userId': must be a string"),
                new Body(alice, "POST", "/api/conversations/groups", "{\"name\":42,\"members\":[]}",
                        "'name': must be a string"),
                new Body(alice, "POST", "/api/conversations/groups", "{\"name\":\"\\ud800 group\",\"members\":[]}",
                        "'name': must be well-formed Unicode"),
                new Body(alice, "POST", "/api/conversations/groups", "{\"name\":\"g\",\"members\":[7]}",
                        "'members[0]': must be a string"),
                new Body(bob, "POST", conversation + "/members", "{\"userId\":12}", "'userId': must be a string"),
                new Body(alice, "POST", conversation + "/messages", "{\"clientMsgId\":7,\"text\":\"hi\"}",
                        "'clientMsgId': must be a string"),
                new Body(alice, "PATCH", conversation + "/messages/1", "{\"text\":[\"hi\"]}",
                        "'text': must be a string"),
                new Body(alice, "POST", conversation + "/read", "{\"upToSeq\":false}", "'upToSeq': must be an integer"),
                new Body(admin, "PUT", "/api/admin/users/" + bob.userId + "/roles", "{\"roles\":[1]}",
                        "'roles[0]': must be a string"));
        for (Body body : bodies) {
            ParleyClient.Response response = (body.caller() == null ? alice : body.caller())
                    .raw(body.method(), body.path(), body.body(), body.caller() == null ? null : body.caller().token);
            assertThat(response.status()).as("%s %s %s: %s", body.method(), body.path(), body.body(), response)
                    .isEqualTo(400);
            assertThat(response.body().get("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(response.body().get("message").asText()).as("%s", body.body())
                    .startsWith("malformed JSON body: bad value for " + body.fault());
        }
        assertNothingStored(group);
    }

    @Test
    void aBodyOrFrameWithAnythingAfterItsObjectIsRefusedAtBothDoorsAndNothingIsStored() {
        String group = groupWithThreeMessages();
        for (String tail : List.of(" {\"x\":1}", "garbage", "}", " [1]", " 7", "{\"type\":\"ping\"}")) {
            String id = "trailing-" + ids.incrementAndGet();
            ParleyClient.Response http = alice.raw("POST", "/api/conversations/" + group + "/messages",
                    "{\"clientMsgId\":\"" + id + "\",\"text\":\"sneaky\"}" + tail, alice.token);
            JsonNode error = assertShapeRefused(http, "{\"type\":\"send\",\"id\":\"" + id + "\",\"conversationId\":\""
                    + group + "\",\"text\":\"sneaky\"}" + tail);
            assertThat(error.get("message").asText()).as("after %s", tail).isEqualTo(
                    "malformed JSON body: more after the end of the JSON value (send exactly one JSON object)");
        }
        // white space after the object is not more
        ParleyClient.Response spaced = alice.raw("POST", "/api/conversations/" + group + "/read",
                "{\"upToSeq\":1} \n\t ", alice.token);
        assertThat(spaced.status()).as("%s", spaced).isEqualTo(204);
        assertNothingStored(group);
    }

    @Test
    void aDuplicateKeyIsRefusedAtBothDoorsWhicheverValueWouldHaveCounted() {
        String group = groupWithThreeMessages();
        JsonNode text = assertShapeRefused(alice.raw("POST", "/api/conversations/" + group + "/messages",
                        "{\"clientMsgId\":\"dup-1\",\"text\":\"one\",\"text\":\"two\"}", alice.token),
                "{\"type\":\"send\",\"id\":\"dup-1\",\"conversationId\":\"" + group
                        + "\",\"text\":\"one\",\"text\":\"two\"}");
        assertThat(text.get("message").asText()).isEqualTo(
                "malformed JSON body: duplicate key 'text' (a key may appear once in an object)");
        // the frame's type twice: neither a send nor a ping happens
        JsonNode type = assertShapeRefused(alice.raw("POST", "/api/conversations/" + group + "/read",
                        "{\"type\":\"read\",\"upToSeq\":3,\"type\":\"ping\"}", alice.token),
                "{\"type\":\"send\",\"id\":\"dup-2\",\"conversationId\":\"" + group
                        + "\",\"text\":\"hi\",\"type\":\"ping\"}");
        assertThat(type.get("message").asText()).startsWith("malformed JSON body: duplicate key 'type'");
        assertThat(alice.raw("POST", "/api/conversations/" + group + "/read", "{\"upToSeq\":2,\"upToSeq\":3}",
                alice.token).body().get("message").asText()).startsWith("malformed JSON body: duplicate key 'upToSeq'");
        assertReadCursorStartsFromNothing(group);
        assertNothingStored(group);
    }

    // ============================================================================================ helpers

    /**
     * A body and a frame whose JSON text is not one object with each key once: 400 {@code BAD_REQUEST} and
     * {@code BAD_FRAME}, both naming the fault the same way. Nothing of the frame was read, so its answer has no id
     * (none is echoed from a frame that is not read), and it was not acted on: no {@code ack}, {@code ok} or
     * {@code pong} for its id. Each frame goes on a socket of its own, so its id-less error cannot be confused.
     */
    private static JsonNode assertShapeRefused(ParleyClient.Response http, String frame) {
        assertThat(http.status()).as("%s", http).isEqualTo(400);
        assertThat(http.body().get("code").asText()).isEqualTo("BAD_REQUEST");
        try (SocketClient own = alice.connect(parley)) {
            own.sendText(frame);
            JsonNode error = own.await(SocketClient.type("error"));
            assertThat(error.get("code").asText()).as("%s", error).isEqualTo("BAD_FRAME");
            assertThat(error.get("message").asText()).as("the same message at both doors for %s", frame)
                    .isEqualTo(http.body().get("message").asText());
            String ping = "after-" + ids.incrementAndGet();
            own.sendText("{\"type\":\"ping\",\"id\":\"" + ping + "\"}");
            own.await(reply("pong", ping));
            assertThat(own.frames(f -> !f.path("type").asText().equals("error")
                    && !f.path("type").asText().equals("pong") && !f.path("type").asText().equals("presence")
                    && !f.path("type").asText().equals("presence_batch")))
                    .as("%s was not acted on", frame).isEmpty();
            assertThat(own.frames(SocketClient.type("pong"))).hasSize(1);
            return error;
        }
    }

    /** A fresh group of bob's with alice in it and bob's messages one, two and three; alice has read none. */
    private static String groupWithThreeMessages() {
        ParleyClient.Response created = bob.call("POST", "/api/conversations/groups",
                json("name", "input " + ids.incrementAndGet(), "members", List.of(alice.userId)));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String group = created.body().get("conversationId").asText();
        for (String text : List.of("one", "two", "three")) {
            assertThat(bob.call("POST", "/api/conversations/" + group + "/messages",
                    json("clientMsgId", text, "text", text)).status()).isEqualTo(201);
        }
        return group;
    }

    /**
     * The body refused over HTTP and the same fields refused on the socket (with an id added to the frame): 400
     * {@code BAD_REQUEST} and {@code BAD_FRAME} with the echoed id, and the same message, naming the field and what it
     * must be.
     */
    private static void assertSameRefusal(ParleyClient.Response http, String frame, String fault) {
        assertThat(http.status()).as("%s", http).isEqualTo(400);
        assertThat(http.body().get("code").asText()).isEqualTo("BAD_REQUEST");
        JsonNode error = assertRefusedOnSocket(frame);
        assertThat(error.get("message").asText()).as("the same message at both doors")
                .isEqualTo(http.body().get("message").asText())
                .startsWith("malformed JSON body: bad value for " + fault);
    }

    private static JsonNode assertRefusedOnSocket(String frame) {
        String id = "bad-" + ids.incrementAndGet();
        socket.sendText("{\"id\":\"" + id + "\"," + frame.substring(1));
        JsonNode answer = socket.await(reply("error", id).or(reply("ok", id)).or(reply("ack", id)));
        assertThat(answer.get("type").asText()).as("%s answered %s", frame, answer).isEqualTo("error");
        assertThat(answer.get("code").asText()).as("%s", answer).isEqualTo("BAD_FRAME");
        assertThat(answer.get("id").asText()).isEqualTo(id);
        return answer;
    }

    /** Alice's read cursor is still at 0: a good read of seq 1 moves it to exactly 1 (cursors only move forward). */
    private static void assertReadCursorStartsFromNothing(String group) {
        assertThat(alice.call("POST", "/api/conversations/" + group + "/read", json("upToSeq", 1)).status())
                .isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> readSeq(group) >= 1);
        assertThat(readSeq(group)).as("alice's read cursor").isEqualTo(1);
    }

    /**
     * No refused send or edit reached the conversation: the next message takes seq 4, and once it is in the history
     * (projected in order, so everything before it is too) the history is bob's three messages, unedited, and it.
     */
    private static void assertNothingStored(String group) {
        ParleyClient.Response next = bob.call("POST", "/api/conversations/" + group + "/messages",
                json("clientMsgId", "next", "text", "next"));
        assertThat(next.body().get("seq").asLong()).as("%s", next).isEqualTo(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> texts(group).size() == 4);
        assertThat(texts(group)).containsExactly("one", "two", "three", "next");
        assertThat(bob.call("GET", "/api/conversations/" + group + "/messages", null).body().get("messages"))
                .allSatisfy(message -> assertThat(message.get("editedAt").isNull()).as("%s", message).isTrue());
    }

    private static List<String> texts(String group) {
        List<String> texts = new ArrayList<>();
        bob.call("GET", "/api/conversations/" + group + "/messages", null).body().get("messages")
                .forEach(message -> texts.add(message.get("text").asText()));
        return texts;
    }

    private static long readSeq(String group) {
        for (JsonNode cursor : bob.call("GET", "/api/conversations/" + group + "/receipts", null).body()) {
            if (alice.userId.equals(cursor.get("userId").asText())) {
                return cursor.get("readSeq").asLong();
            }
        }
        return 0;
    }
}
