package io.parley.notify.sender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.notify.NotificationProperties;
import io.parley.notify.PushTarget;
import io.parley.notify.TargetKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The FCM sender against a local FCM HTTP v1 endpoint and OAuth token endpoint on 127.0.0.1 (the JDK's HTTP server).
 * firebase-admin has no setting for FCM's address ({@code https://fcm.googleapis.com/v1/projects/ID/messages:send} is
 * a constant), so the test gives it, through {@code FirebaseOptions.setHttpTransport}, google-http-client's own
 * {@link NetHttpTransport} whose connection factory opens {@code fcm.googleapis.com} URLs at the local server instead
 * (plain HTTP). Everything else is the library's: the service account file (its {@code token_uri} points at the local
 * token endpoint, which checks the RS256 assertion with the account's public key), the OAuth exchange, the message's
 * JSON and the parsing of FCM's error answers into {@code FirebaseMessagingException}s.
 */
class FcmSenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "parley-test";
    private static final String ACCESS_TOKEN = "ya29.local-access-token";
    private static final String GOOD = "fcm-token-good-0123456789";
    private static final String GONE = "fcm-token-unregistered-0123456789";
    private static final String MALFORMED = "fcm-token-invalid-0123456789";
    private static final String OVERLOADED = "fcm-token-quota-0123456789";

    private final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private FcmSender sender;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair account = rsa.generateKeyPair();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", exchange -> token(exchange, (RSAPublicKey) account.getPublic()));
        server.createContext("/v1/projects/", this::send);
        server.start();
        int port = server.getAddress().getPort();

        Path file = dir.resolve("service-account.json");
        Files.writeString(file, JSON.createObjectNode()
                .put("type", "service_account")
                .put("project_id", PROJECT)
                .put("private_key_id", "key-1")
                .put("private_key", "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(account.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n")
                .put("client_email", "parley@" + PROJECT + ".iam.gserviceaccount.com")
                .put("client_id", "1234567890")
                .put("token_uri", "http://127.0.0.1:" + port + "/token")
                .toString());
        NetHttpTransport toLocalFcm = new NetHttpTransport.Builder().setConnectionFactory(url -> {
            URL target = url.getHost().equals("fcm.googleapis.com")
                    ? new URL("http", "127.0.0.1", port, url.getFile()) : url;
            return (HttpURLConnection) target.openConnection(Proxy.NO_PROXY);
        }).build();
        sender = FcmSender.create(new NotificationProperties.Fcm(file.toString(), null), Duration.ofSeconds(5),
                toLocalFcm);
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.close();
        }
        server.stop(0);
    }

    @Test
    void aMessageArrivesWithTheConversationsCollapseKeyANotificationAndParleysJson() throws Exception {
        OutgoingNotification notification = new OutgoingNotification("d-1", "conversation-1",
                "{\"title\":\"alice\",\"body\":\"New message\",\"conversationId\":\"conversation-1\"}");

        SendOutcome outcome = sender.send(fcm(GOOD), notification).get();

        assertThat(problems).isEmpty();
        assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
        JsonNode message = sent.get(0).path("message");
        assertThat(message.path("token").asText()).isEqualTo(GOOD);
        assertThat(message.at("/notification/title").asText()).isEqualTo("alice");
        assertThat(message.at("/notification/body").asText()).isEqualTo("New message");
        assertThat(message.at("/android/collapse_key").asText()).isEqualTo(notification.topic());
        assertThat(message.at("/android/notification/tag").asText()).isEqualTo(notification.topic());
        assertThat(message.at("/android/priority").asText()).isEqualTo("high");
        assertThat(JSON.readTree(message.at("/data/parley").asText()).path("conversationId").asText())
                .isEqualTo("conversation-1");
    }

    @Test
    void aTokenFcmCallsUnregisteredIsReportedGone() throws Exception {
        SendOutcome outcome = sender.send(fcm(GONE), new OutgoingNotification("d", "c", "{}")).get();

        assertThat(problems).isEmpty();
        assertThat(outcome).isEqualTo(new SendOutcome.Gone("FCM 404 UNREGISTERED"));
    }

    @Test
    void anInvalidArgumentIsRefusedForGoodAndAQuotaErrorIsRetried() throws Exception {
        assertThat(sender.send(fcm(MALFORMED), new OutgoingNotification("d", "c", "{}")).get())
                .isEqualTo(new SendOutcome.Rejected("FCM 400 INVALID_ARGUMENT"));
        assertThat(sender.send(fcm(OVERLOADED), new OutgoingNotification("d", "c", "{}")).get())
                .isEqualTo(new SendOutcome.Retry("FCM 429 QUOTA_EXCEEDED"));
        assertThat(problems).isEmpty();
    }

    /** The OAuth 2 token endpoint: a JWT-bearer grant whose assertion the service account's key signed (RS256). */
    private void token(HttpExchange exchange, RSAPublicKey publicKey) throws IOException {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String assertion = null;
        for (String pair : form.split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv[0].equals("assertion")) {
                assertion = URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
            }
        }
        try {
            SignedJWT jwt = SignedJWT.parse(assertion);
            if (!jwt.verify(new RSASSAVerifier(publicKey))) {
                problems.add("token assertion not signed by the service account");
            }
            if (!jwt.getJWTClaimsSet().getIssuer().equals("parley@" + PROJECT + ".iam.gserviceaccount.com")) {
                problems.add("token assertion from " + jwt.getJWTClaimsSet().getIssuer());
            }
        } catch (Exception e) {
            problems.add("unreadable token assertion: " + e);
        }
        answer(exchange, 200, "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
    }

    /** FCM's {@code messages:send}: the bearer token, the project, then an answer by registration token. */
    private void send(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/v1/projects/" + PROJECT + "/messages:send")) {
            problems.add("sent to " + exchange.getRequestURI());
        }
        if (!("Bearer " + ACCESS_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            problems.add("no access token");
            answer(exchange, 401, error(401, "UNAUTHENTICATED", null));
            return;
        }
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        sent.add(body);
        String token = body.at("/message/token").asText();
        switch (token) {
            case GONE -> answer(exchange, 404, error(404, "NOT_FOUND", "UNREGISTERED"));
            case MALFORMED -> answer(exchange, 400, error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"));
            case OVERLOADED -> answer(exchange, 429, error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"));
            default -> answer(exchange, 200, "{\"name\":\"projects/" + PROJECT + "/messages/0:1\"}");
        }
    }

    /** An error as FCM answers it (Firebase, "FCM error codes"): a Google API error with an FcmError detail. */
    private static String error(int code, String status, String fcmErrorCode) {
        var error = JSON.createObjectNode();
        var inner = error.putObject("error").put("code", code).put("message", "local FCM: " + status)
                .put("status", status);
        if (fcmErrorCode != null) {
            inner.putArray("details").addObject()
                    .put("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError")
                    .put("errorCode", fcmErrorCode);
        }
        return error.toString();
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static PushTarget fcm(String token) {
        return new PushTarget("t-" + token, "bob", TargetKind.FCM, token, null, null, null, null, Instant.now());
    }
}
