package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.api.wire.CloseCodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions end before their tokens expire (issue 13): logging out ends that session; changing the password and erasing
 * the user end every session of the user. A token of an ended session is refused (401) at once on the node that
 * ended it, and the sockets it opened are closed with 4003 (across push nodes: {@link DistributedStories}). Browsers
 * open the socket with a one-time ticket instead of putting the session token into the URL.
 */
class RevocationTest {

    private static final String PASSWORD = "correct horse battery"; // ParleyClient's
    private static final String ENDED = "session ended; log in again";

    static RunningParley parley;
    static ParleyClient operator;

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-revocation"),
                "parley.roles.admins=revocation_admin");
        operator = ParleyClient.signUpExactly(parley, "revocation_admin");
    }

    @AfterAll
    static void stop() {
        if (parley != null) {
            parley.close();
        }
    }

    @Test
    void loggingOutRefusesThatTokenAndClosesItsSocketWhileTheUsersOtherSessionsGoOn() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String phone = alice.token;
        String laptop = anotherSession(alice);
        try (SocketClient phoneSocket = SocketClient.connect(parley.ws(), phone);
             SocketClient laptopSocket = SocketClient.connect(parley.ws(), laptop)) {
            assertAlive(phoneSocket);
            assertAlive(laptopSocket);
            assertThat(bob.call("DELETE", logout(alice), null).status()).as("only alice logs alice out")
                    .isEqualTo(403);

            assertThat(alice.call("DELETE", logout(alice), null, phone).status()).isEqualTo(204);

            assertRefused(alice, phone);
            assertClosedAsEnded(phoneSocket);
            assertThat(alice.call("DELETE", logout(alice), null, phone).status()).as("logging out twice")
                    .isEqualTo(401);
            assertThat(alice.call("GET", "/api/conversations", null, laptop).status()).isEqualTo(200);
            assertAlive(laptopSocket);
        }
    }

    @Test
    void aPasswordChangeEndsEveryEarlierSessionAndAnswersANewOne() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        String first = alice.token;
        String second = anotherSession(alice);
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String path = "/api/users/" + alice.userId + "/password";
        try (SocketClient firstSocket = SocketClient.connect(parley.ws(), first);
             SocketClient secondSocket = SocketClient.connect(parley.ws(), second)) {
            assertAlive(firstSocket);
            ParleyClient.Response wrong = alice.call("PUT", path,
                    json("currentPassword", "not my password", "newPassword", "a brand new secret"));
            assertThat(wrong.status()).isEqualTo(403);
            assertThat(wrong.body().get("code").asText()).isEqualTo("FORBIDDEN");
            assertThat(alice.call("PUT", path, json("currentPassword", PASSWORD, "newPassword", "short")).status())
                    .isEqualTo(400);
            assertThat(bob.call("PUT", path, json("currentPassword", PASSWORD, "newPassword", "bob was here!"))
                    .status()).as("only alice changes alice's password").isEqualTo(403);
            assertAlive(firstSocket); // nothing changed yet

            ParleyClient.Response changed = alice.call("PUT", path,
                    json("currentPassword", PASSWORD, "newPassword", "a brand new secret"));

            assertThat(changed.status()).as("%s", changed).isEqualTo(200);
            assertThat(changed.body().get("userId").asText()).isEqualTo(alice.userId);
            assertThat(Instant.parse(changed.body().get("expiresAt").asText())).isAfter(Instant.now());
            String fresh = changed.body().get("token").asText();
            assertRefused(alice, first);
            assertRefused(alice, second);
            assertClosedAsEnded(firstSocket);
            assertClosedAsEnded(secondSocket);
            assertThat(alice.call("GET", "/api/conversations", null, fresh).status()).isEqualTo(200);
            try (SocketClient freshSocket = SocketClient.connect(parley.ws(), fresh)) {
                assertAlive(freshSocket);
            }
            assertThat(login(alice, PASSWORD).status()).isEqualTo(401);
            assertThat(login(alice, "a brand new secret").status()).isEqualTo(200);
        }
    }

    @Test
    void erasingAUserEndsEverySessionOfTheUser() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        assertThat(alice.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", "e1", "text", "soon forgotten")).status()).isEqualTo(201);
        String aliceToken = alice.token;
        String bobToken = bob.token;
        try (SocketClient aliceSocket = SocketClient.connect(parley.ws(), aliceToken);
             SocketClient bobSocket = SocketClient.connect(parley.ws(), bobToken)) {
            assertAlive(aliceSocket);
            assertAlive(bobSocket);

            // by the user themself
            assertThat(alice.call("DELETE", "/api/users/" + alice.userId + "/data", null).status()).isEqualTo(202);
            assertRefused(alice, aliceToken);
            assertClosedAsEnded(aliceSocket);
            assertAlive(bobSocket);

            // by an ADMIN
            assertThat(operator.call("DELETE", "/api/users/" + bob.userId + "/data", null).status()).isEqualTo(202);
            assertRefused(bob, bobToken);
            assertClosedAsEnded(bobSocket);
        }
        alice.logIn(parley);
        assertThat(alice.call("GET", "/api/conversations", null).status()).as("a new login works").isEqualTo(200);
    }

    @Test
    void aSocketTicketOpensOneSocketOnceIsNoBearerTokenAndEndsWithItsSession() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        JsonNode issued = ticket(alice);
        String ticket = issued.get("ticket").asText();
        assertThat(Instant.parse(issued.get("expiresAt").asText()))
                .isBetween(Instant.now(), Instant.now().plus(Duration.ofSeconds(31)));
        assertThat(ticket).isNotEqualTo(alice.token);

        try (SocketClient socket = SocketClient.connect(parley.ws() + "?resume=true&ticket=" + ticket, null)) {
            socket.send(json("type", "sync", "id", "s1", "since", java.util.Map.of()));
            socket.await(reply("synced", "s1"));
            assertAlive(socket);

            assertRefused401("the same ticket again", SocketClient.refusal(parley.ws() + "?ticket=" + ticket, null));
            assertThat(alice.call("GET", "/api/conversations", null, ticket).status()).as("a ticket on HTTP")
                    .isEqualTo(401);
            assertRefused401("a session token as ticket",
                    SocketClient.refusal(parley.ws() + "?ticket=" + alice.token, null));
            String unused = ticket(alice).get("ticket").asText();

            assertThat(alice.call("DELETE", logout(alice), null).status()).isEqualTo(204);

            assertClosedAsEnded(socket);
            assertRefused401("a ticket of an ended session",
                    SocketClient.refusal(parley.ws() + "?ticket=" + unused, null));
        }
    }

    /** Logs the user in once more (another device): the new session's token, now also the client's. */
    private static String anotherSession(ParleyClient user) {
        user.logIn(parley);
        return user.token;
    }

    private static JsonNode ticket(ParleyClient user) {
        ParleyClient.Response response = user.call("POST", "/api/sessions/socket-ticket", null);
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        assertThat(response.body().size()).isEqualTo(2);
        return response.body();
    }

    private static String logout(ParleyClient user) {
        return "/api/users/" + user.userId + "/sessions/current";
    }

    private static ParleyClient.Response login(ParleyClient user, String password) {
        return user.call("POST", "/api/sessions", json("username", user.username, "password", password), null);
    }

    /** The token is refused on HTTP, with the reason, and at the socket handshake. */
    private static void assertRefused(ParleyClient user, String token) {
        ParleyClient.Response refused = user.call("GET", "/api/conversations", null, token);
        assertThat(refused.status()).as("%s", refused).isEqualTo(401);
        assertThat(refused.body().get("message").asText()).isEqualTo(ENDED);
        assertRefused401("an ended session's token", SocketClient.refusal(parley.ws(), "Bearer " + token));
    }

    private static void assertRefused401(String what, Throwable refusal) {
        assertThat(refusal).as(what + ": the upgrade must be refused").isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) refusal).getResponse().statusCode()).as(what).isEqualTo(401);
    }

    private static void assertClosedAsEnded(SocketClient socket) {
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.closeCode() != null);
        assertThat(socket.closeCode()).isEqualTo(CloseCodes.SESSION_ENDED);
    }

    private static void assertAlive(SocketClient socket) {
        String id = "alive-" + System.nanoTime();
        socket.send(json("type", "ping", "id", id));
        socket.await(reply("pong", id));
    }
}
