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
