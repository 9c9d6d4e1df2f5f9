package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testsupport.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Media sharing end to end on the booted standalone app with the {@code local} driver: a real JPEG carrying an EXIF
 * GPS position is uploaded through the signed URL, completed, sent over the socket; the other member receives the
 * message with the attachment and fetches thumbnail and original (without the GPS position) over HTTP; outsiders,
 * removed members, expired links, spoofed types, oversized uploads, foreign media and deletion are refused. Links
 * live {@code 6s} here so that expiry can be seen without a long wait.
 */
class MediaStoryTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static RunningParley parley;

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-media"), "parley.media.url-ttl=6s");
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void aPhotoIsSharedWithMembersOnlyWithoutItsGpsPositionAndGoesWithItsMessage() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient dave = ParleyClient.signUp(parley, "dave");
        ParleyClient carol = ParleyClient.signUp(parley, "carol");
        String group = alice.call("POST", "/api/conversations/groups",
                json("name", "Holiday", "members", List.of(bob.userId, dave.userId))).body()
                .get("conversationId").asText();

        byte[] photo = TestImages.jpegWithGps(1600, 1200);
        assertThat(TestImages.hasExifOrGps(photo)).isTrue();
        JsonNode completed = upload(alice, "beach.jpg", "image/jpeg", photo);
        String mediaId = completed.get("mediaId").asText();
        assertThat(completed.get("contentType").asText()).isEqualTo("image/jpeg");
        assertThat(completed.get("width").asInt()).isEqualTo(1600);
        assertThat(completed.get("height").asInt()).isEqualTo(1200);

        // alice sends it with a caption over the socket; bob receives the message with the attachment
        try (SocketClient aliceSocket = alice.connect(parley); SocketClient bobSocket = bob.connect(parley)) {
            aliceSocket.send(json("type", "send", "id", "photo-1", "conversationId", group, "text", "Look!",
                    "attachments", List.of(mediaId)));
            assertThat(aliceSocket.await(SocketClient.reply("ack", "photo-1")).get("seq").asLong()).isEqualTo(1);
            JsonNode message = bobSocket.await(m -> "message".equals(m.path("type").asText())
                    && m.path("conversationId").asText().equals(group));
            assertThat(message.get("text").asText()).isEqualTo("Look!");
            JsonNode attachment = message.get("attachments").get(0);
            assertThat(attachment.get("mediaId").asText()).isEqualTo(mediaId);
            assertThat(attachment.get("name").asText()).isEqualTo("beach.jpg");
            assertThat(attachment.get("contentType").asText()).isEqualTo("image/jpeg");
            assertThat(attachment.get("width").asInt()).isEqualTo(1600);

            HttpResponse<byte[]> thumbnail = get(attachment.get("thumbnailUrl").asText());
            assertThat(thumbnail.statusCode()).isEqualTo(200);
            assertThat(thumbnail.headers().firstValue("Content-Type")).contains("image/jpeg");
            BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(thumbnail.body()));
            assertThat(thumb.getWidth()).isEqualTo(320);

            HttpResponse<byte[]> original = get(attachment.get("url").asText());
            assertThat(original.statusCode()).isEqualTo(200);
            assertThat(TestImages.hasExifOrGps(original.body())).as("the GPS position is stripped").isFalse();
            assertThat(ImageIO.read(new ByteArrayInputStream(original.body())).getWidth()).isEqualTo(1600);
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original.body())))
                    .isEqualTo(attachment.get("sha256").asText());
            assertThat(original.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(original.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("sandbox");

            // the history carries it too, with links
            JsonNode history = bob.call("GET", "/api/conversations/" + group + "/messages", null).body();
            assertThat(history.get("messages").get(0).get("attachments").get(0).get("url").asText()).isNotBlank();
        }

        // an outsider never gets it, not even by id; a member asks for fresh links
        assertThat(carol.call("GET", "/api/media/" + mediaId, null).status()).isEqualTo(403);
        assertThat(dave.call("GET", "/api/media/" + mediaId, null).status()).isEqualTo(200);

        // a removed member loses access
        assertThat(alice.call("DELETE", "/api/conversations/" + group + "/members/" + dave.userId, null).status())
                .isEqualTo(204);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> dave.call("GET", "/api/media/" + mediaId, null).status() == 403);

        // a link dies when it expires
        String link = bob.call("GET", "/api/media/" + mediaId, null).body().get("url").asText();
        assertThat(get(link).statusCode()).isEqualTo(200);
        Thread.sleep(7_500);
        assertThat(get(link).statusCode()).isEqualTo(403);

        // deleting the message makes the media unreachable for everyone
        String fresh = bob.call("GET", "/api/media/" + mediaId, null).body().get("url").asText();
        assertThat(alice.call("DELETE", "/api/conversations/" + group + "/messages/1", null).status()).isEqualTo(204);
        assertThat(bob.call("GET", "/api/media/" + mediaId, null).status()).isEqualTo(404);
        assertThat(alice.call("GET", "/api/media/" + mediaId, null).status()).isEqualTo(404);
        assertThat(get(fresh).statusCode()).isEqualTo(403);
    }

    @Test
    void aSpoofedTypeAnOversizedUploadAndForeignOrUnfinishedMediaAreRefused() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        String messages = "/api/conversations/" + direct + "/messages";

        // HTML declared as a JPEG is caught from its bytes
        ParleyClient.Response spoofed = uploadAndComplete(alice, "cat.jpg", "image/jpeg",
                "<html><script>alert('hi')</script></html>".getBytes(StandardCharsets.UTF_8));
        assertThat(spoofed.status()).isEqualTo(400);
        assertThat(spoofed.body().get("message").asText()).contains("text/html");

        // larger than an image may be: refused before any byte moves
        ParleyClient.Response huge = alice.call("POST", "/api/media/uploads",
                json("name", "huge.jpg", "contentType", "image/jpeg", "size", 21 * 1024 * 1024));
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.body().get("code").asText()).isEqualTo("TOO_LARGE");

        // more bytes than declared: the signed URL refuses them
        JsonNode small = alice.call("POST", "/api/media/uploads",
                json("name", "small.jpg", "contentType", "image/jpeg", "size", 100)).body();
        assertThat(put(small, TestImages.jpeg(200, 200)).statusCode()).isEqualTo(413);

        // attaching unknown, unfinished or another user's media: refused, and no message is sent
        String bobsMedia = upload(bob, "b.jpg", "image/jpeg", TestImages.jpeg(40, 40)).get("mediaId").asText();
        ParleyClient.Response unknown = alice.call("POST", messages,
                json("clientMsgId", "m1", "text", "x", "attachments", List.of("no-such-media")));
        assertThat(unknown.status()).isEqualTo(404);
        ParleyClient.Response unfinished = alice.call("POST", messages,
                json("clientMsgId", "m2", "attachments", List.of(small.get("mediaId").asText())));
        assertThat(unfinished.status()).isEqualTo(404);
        ParleyClient.Response foreign = alice.call("POST", messages,
                json("clientMsgId", "m3", "attachments", List.of(bobsMedia)));
        assertThat(foreign.status()).isEqualTo(403);
        try (SocketClient socket = alice.connect(parley)) {
            socket.send(json("type", "send", "id", "m4", "conversationId", direct, "attachments", List.of(bobsMedia)));
            JsonNode error = socket.await(SocketClient.reply("error", "m4"));
            assertThat(error.get("code").asText()).isEqualTo("FORBIDDEN");
        }
        assertThat(alice.call("GET", messages, null).body().get("messages")).isEmpty();

        // a document without caption goes as a download of its sniffed type
        String pdf = upload(alice, "notes.txt", "text/plain", "plain notes".getBytes(StandardCharsets.UTF_8))
                .get("mediaId").asText();
        assertThat(alice.call("POST", messages, json("clientMsgId", "m5", "attachments", List.of(pdf))).status())
                .isEqualTo(201);
        JsonNode sent = alice.call("GET", messages, null).body().get("messages").get(0);
        assertThat(sent.get("text").isNull()).isTrue();
        HttpResponse<byte[]> download = get(sent.get("attachments").get(0).get("url").asText());
        assertThat(download.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment");

        // erasing alice removes her media
        ParleyClient.Response erased = alice.call("DELETE", "/api/users/" + alice.userId + "/data", null);
        assertThat(erased.status()).isEqualTo(202);
        assertThat(erased.body().get("mediaErased").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(get(sent.get("attachments").get(0).get("url").asText()).statusCode()).isEqualTo(403);
    }

    /** Starts, PUTs and completes an upload; answers the completed attachment. */
    static JsonNode upload(ParleyClient user, String name, String type, byte[] bytes) throws Exception {
        return upload(user, name, type, bytes, parley);
    }

    static JsonNode upload(ParleyClient user, String name, String type, byte[] bytes, RunningParley on)
            throws Exception {
        ParleyClient.Response completed = uploadAndComplete(user, name, type, bytes, on);
        assertThat(completed.status()).as(completed.toString()).isEqualTo(200);
        return completed.body();
    }

    static ParleyClient.Response uploadAndComplete(ParleyClient user, String name, String type, byte[] bytes)
            throws Exception {
        return uploadAndComplete(user, name, type, bytes, parley);
    }

    static ParleyClient.Response uploadAndComplete(ParleyClient user, String name, String type, byte[] bytes,
                                                   RunningParley on) throws Exception {
        ParleyClient.Response started = user.call("POST", "/api/media/uploads",
                json("name", name, "contentType", type, "size", bytes.length));
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        HttpResponse<String> put = put(started.body(), bytes, on);
        assertThat(put.statusCode()).as(put.body()).isBetween(200, 299);
        return user.call("POST", "/api/media/" + started.body().get("mediaId").asText() + "/complete", null);
    }

    static HttpResponse<String> put(JsonNode started, byte[] bytes) throws Exception {
        return put(started, bytes, parley);
    }

    static HttpResponse<String> put(JsonNode started, byte[] bytes, RunningParley on) throws Exception {
        String url = started.get("url").asText();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.startsWith("/") ? on.http() + url : url))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        started.get("headers").fields().forEachRemaining(h -> request.header(h.getKey(), h.getValue().asText()));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(absolute(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static URI absolute(String url) {
        return URI.create(url.startsWith("/") ? parley.http() + url : url);
    }
}
