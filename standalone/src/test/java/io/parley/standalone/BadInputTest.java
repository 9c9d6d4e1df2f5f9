package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets a clear error and never costs a client its connection; no token, no entry. */
class BadInputTest {

    static RunningParley parley;
    static ParleyClient alice;
    static ParleyClient bob;
    static ParleyClient mallory;
    static String conversation;

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-bad-input"));
        alice = ParleyClient.signUp(parley, "alice");
        bob = ParleyClient.signUp(parley, "bob");
        mallory = ParleyClient.signUp(parley, "mallory");
        conversation = alice.openDirectWith(bob);
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void aFrameThatIsNotJsonIsABadFrameAndTheSocketStaysOpen() {
        try (SocketClient socket = alice.connect(parley)) {
            socket.sendText("this is not json {");
            JsonNode error = socket.await(type("error"));
            assertThat(error.get("code").asText()).isEqualTo("BAD_FRAME");
            assertStillServes(socket);
        }
    }

    @Test
    void aFrameMissingFieldsIsABadFrameThatEchoesItsId() {
        try (SocketClient socket = alice.connect(parley)) {
            socket.send(json("type", "send", "id", "no-text", "conversationId", conversation));
            JsonNode error = socket.await(reply("error", "no-text"));
            assertThat(error.get("code").asText()).isEqualTo("BAD_FRAME");
            assertThat(error.get("message").asText()).contains("text");
            socket.send(json("id", "no-type"));
            assertThat(socket.await(reply("error", "no-type")).get("code").asText()).isEqualTo("BAD_FRAME");
            socket.send(json("type", "teleport", "id", "unknown"));
            assertThat(socket.await(reply("error", "unknown")).get("code").asText()).isEqualTo("BAD_FRAME");
            socket.sendText("[1,2,3]");
            assertStillServes(socket);
        }
    }

    @Test
    void aBlankOrOverlongMessageIsRefused() {
        try (SocketClient socket = alice.connect(parley)) {
            socket.send(json("type", "send", "id", "blank", "conversationId", conversation, "text", "   "));
            assertThat(socket.await(reply("error", "blank")).get("code").asText()).isEqualTo("BAD_FRAME");
            socket.send(json("type", "send", "id", "long", "conversationId", conversation, "text", "x".repeat(4001)));
            assertThat(socket.await(reply("error", "long")).get("code").asText()).isEqualTo("BAD_FRAME");
            assertStillServes(socket);
        }
    }

    @Test
    void aFrameOverTheSizeLimitIsTooLargeAndTheSocketStaysOpen() {
        try (SocketClient socket = alice.connect(parley)) {
            socket.send(json("type", "send", "id", "huge", "conversationId", conversation, "text", "x".repeat(70_000)));
            JsonNode error = socket.await(type("error"));
            assertThat(error.get("code").asText()).isEqualTo("TOO_LARGE");
            assertStillServes(socket);
        }
    }

    @Test
    void aNonMemberCannotSendOrReadHistory() {
        try (SocketClient socket = mallory.connect(parley)) {
            socket.send(json("type", "send", "id", "intrude", "conversationId", conversation, "text", "let me in"));
            JsonNode error = socket.await(reply("error", "intrude"));
            assertThat(error.get("code").asText()).isEqualTo("FORBIDDEN");
            assertStillServes(socket);
        }
        ParleyClient.Response history = mallory.call("GET", "/api/conversations/" + conversation + "/messages", null);
        assertThat(history.status()).isEqualTo(403);
        assertThat(history.body().get("code").asText()).isEqualTo("FORBIDDEN");
        ParleyClient.Response send = mallory.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", "x", "text", "let me in"));
        assertThat(send.status()).isEqualTo(403);
    }

    @Test
    void aSyncNamingAConversationOfOthersIsForbiddenAsItsHistoryIsAndSendsNothingOfIt() {
        assertThat(alice.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", "for-bob", "text", "between us")).status()).isEqualTo(201);
        String unknown = "g-" + java.util.UUID.randomUUID();
        try (SocketClient socket = mallory.connectToResume(parley)) {
            socket.send(json("type", "sync", "id", "peek", "since", json(conversation, 0)));
            JsonNode error = socket.await(reply("error", "peek").or(reply("synced", "peek")));
            assertThat(error.get("type").asText()).as("%s", error).isEqualTo("error");
            assertThat(error.get("code").asText()).isEqualTo("FORBIDDEN");
            assertThat(error.get("message").asText()).startsWith("not a member of this conversation")
                    .contains(conversation);
            // an unknown conversation is answered the same (a sync cannot tell which exist), in either map
            socket.send(json("type", "sync", "id", "guess", "since", json(unknown, 0)));
            assertThat(socket.await(reply("error", "guess").or(reply("synced", "guess"))).get("code").asText())
                    .isEqualTo("FORBIDDEN");
            socket.send(json("type", "sync", "id", "reactions", "since", json(), "reactionsSince",
                    json(conversation, 0)));
            assertThat(socket.await(reply("error", "reactions").or(reply("synced", "reactions"))).get("code")
                    .asText()).isEqualTo("FORBIDDEN");
            // without it, the same socket syncs its own conversations
            socket.send(json("type", "sync", "id", "own", "since", json()));
            socket.await(reply("synced", "own"));
            assertThat(socket.frames(type("message"))).as("nothing of alice and bob's conversation").isEmpty();
            assertStillServes(socket);
        }
        ParleyClient.Response history = mallory.call("GET", "/api/conversations/" + conversation + "/messages", null);
        assertThat(history.status()).isEqualTo(403);
        assertThat(history.body().get("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(mallory.call("GET", "/api/conversations/" + unknown + "/messages", null).status()).isEqualTo(403);
    }

    @Test
    void aRequestLineOrHeadersTooLongAreAnsweredWithAReasonNotABareStatus() {
        ParleyClient.Response longUri = alice.call("GET", "/api/conversations?pad=" + "x".repeat(5000), null);
        assertThat(longUri.status()).as("%s", longUri).isEqualTo(414);
        assertThat(longUri.body().get("code").asText()).isEqualTo("URI_TOO_LONG");
        assertThat(longUri.body().get("message").asText())
                .isEqualTo("the request line (method, path and query) is longer than 4096 bytes;"
                        + " shorten the path or query");
        ParleyClient.Response bigHeaders = alice.rawWithHeader("GET", "/api/conversations", "X-Pad",
                "y".repeat(10_000));
        assertThat(bigHeaders.status()).as("%s", bigHeaders).isEqualTo(431);
        assertThat(bigHeaders.body().get("code").asText()).isEqualTo("HEADERS_TOO_LARGE");
        assertThat(bigHeaders.body().get("message").asText()).startsWith("the request's headers are larger than");
        // the server still answers the next request
        assertThat(alice.call("GET", "/api/conversations", null).status()).isEqualTo(200);
    }

    @Test
    void aQueryParameterOrPathVariableOfTheWrongTypeIsNamedWithWhatItMustBe() {
        String messages = "/api/conversations/" + conversation + "/messages";
        for (String query : java.util.List.of("?limit=ten", "?before=1.5", "?after=abc")) {
            ParleyClient.Response response = alice.call("GET", messages + query, null);
            assertThat(response.status()).as("%s: %s", query, response).isEqualTo(400);
            assertThat(response.body().get("code").asText()).isEqualTo("BAD_REQUEST");
            String name = query.substring(1, query.indexOf('='));
            assertThat(response.body().get("message").asText())
                    .isEqualTo("bad value for parameter '" + name + "': must be an integer");
        }
        ParleyClient.Response search = alice.call("GET", "/api/search?q=hello&limit=many", null);
        assertThat(search.body().get("message").asText())
                .isEqualTo("bad value for parameter 'limit': must be an integer");
        ParleyClient.Response edit = alice.call("PATCH", messages + "/first", json("text", "edited"));
        assertThat(edit.status()).as("%s", edit).isEqualTo(400);
        assertThat(edit.body().get("message").asText())
                .isEqualTo("bad value for path variable 'seq': must be an integer");
    }

    @Test
    void aPushTargetOnALoopbackPrivateOrMetadataAddressIsRefusedAtRegistration() throws Exception {
        java.util.List<String> internal = new java.util.ArrayList<>(java.util.List.of("https://127.0.0.1/hook",
                "https://127.1.2.3:8443/hook", "https://[::1]/hook", "https://169.254.169.254/latest/meta-data/",
                "https://10.0.0.7/hook", "https://172.16.5.4/hook", "https://192.168.1.1/hook", "https://0.0.0.0/hook",
                "https://100.64.0.1/hook", "https://[::ffff:127.0.0.1]/hook", "https://[fd00:ec2::254]/hook",
                "https://[fe80::1]/hook", "https://localhost/hook", "https://LOCALHOST./hook",
                "https://metadata.localhost/hook"));
        // a name, not an address, that leads to this machine's private address: refused for where it leads
        String host = java.net.InetAddress.getLocalHost().getHostName();
        java.net.InetAddress resolved = java.net.InetAddress.getByName(host);
        if (resolved.isLoopbackAddress() || resolved.isSiteLocalAddress()) {
            internal.add("https://" + host + "/hook");
        }
        for (String url : internal) {
            ParleyClient.Response response = bob.call("POST", "/api/devices", json("kind", "webhook", "url", url));
            assertThat(response.status()).as("%s: %s", url, response).isEqualTo(400);
            assertThat(response.body().get("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(response.body().get("message").asText()).as(url).startsWith("url must reach a public address: ");
            if (url.equals("https://" + host + "/hook")) {
                assertThat(response.body().get("message").asText()).as("where a name leads is not told")
                        .doesNotContain(resolved.getHostAddress());
            }
        }
        ParleyClient.Response webPush = bob.call("POST", "/api/devices", json("kind", "webpush",
                "endpoint", "https://169.254.169.254/push", "keys", json("p256dh", "x", "auth", "y")));
        assertThat(webPush.status()).isEqualTo(400);
        assertThat(webPush.body().get("message").asText()).startsWith("endpoint must reach a public address: ");
        assertThat(bob.call("GET", "/api/devices", null).body()).as("nothing registered").isEmpty();
        // a public address is accepted as before
        ParleyClient.Response outside = bob.call("POST", "/api/devices",
                json("kind", "webhook", "url", "https://93.184.215.14/hook"));
        assertThat(outside.status()).as("%s", outside).isEqualTo(201);
    }

    @Test
    void theUpgradeIsRefusedWithoutAValidToken() {
        Throwable noToken = SocketClient.refusal(parley.ws(), null);
        assertThat(noToken).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) noToken).getResponse().statusCode()).isEqualTo(401);
        Throwable forged = SocketClient.refusal(parley.ws(), "Bearer " + alice.token + "x");
        assertThat(((WebSocketHandshakeException) forged).getResponse().statusCode()).isEqualTo(401);
        assertThat(SocketClient.refusal(parley.ws() + "?access_token=" + alice.token, null))
                .as("browsers authenticate with the query parameter").isNull();
    }

    @Test
    void httpCallsWithoutAValidTokenAre401WithAReason() {
        ParleyClient.Response none = alice.call("GET", "/api/conversations", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body().get("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(alice.call("GET", "/api/conversations", null, "garbage").status()).isEqualTo(401);
        assertThat(alice.call("GET", "/api/users/" + bob.userId, null, null).status()).isEqualTo(401);
    }

    @Test
    void malformedHttpBodiesAre400WithAReason() {
        ParleyClient.Response response = alice.raw("POST", "/api/conversations/" + conversation + "/messages",
                "{not json", alice.token);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("message").asText()).isNotBlank();
        ParleyClient.Response missing = alice.call("POST", "/api/conversations/" + conversation + "/messages",
                json("text", "no id"));
        assertThat(missing.status()).isEqualTo(400);
        ParleyClient.Response registration = alice.call("POST", "/api/users",
                json("username", "x", "password", "short"), null);
        assertThat(registration.status()).isEqualTo(400);
        ParleyClient.Response taken = alice.call("POST", "/api/users",
                json("username", alice.username, "password", "long enough pass", "displayName", "Again"), null);
        assertThat(taken.status()).isEqualTo(409);
        ParleyClient.Response badLogin = alice.call("POST", "/api/sessions",
                json("username", alice.username, "password", "wrong password!"), null);
        assertThat(badLogin.status()).isEqualTo(401);
    }

    private static void assertStillServes(SocketClient socket) {
        String id = "alive-" + System.nanoTime();
        socket.send(json("type", "ping", "id", id));
        socket.await(reply("pong", id));
        assertThat(socket.isOpen()).isTrue();
    }
}
