package io.parley.media;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link MediaStore} driver does, over real HTTP: signed uploads and downloads fetched with an HTTP client,
 * expiry and tampering refused, streamed puts (multipart above a part), deletes. Run by {@link LocalMediaStoreTest}
 * and {@link S3MediaStoreTest}.
 */
abstract class MediaStoreContract {

    private final HttpClient http = HttpClient.newHttpClient();

    abstract MediaStore store();

    /** Absolute form of a signed URL (the local driver's are relative to Parley's origin). */
    abstract URI resolve(String url);

    @Test
    void anObjectPutByTheServerReadsBackByteForByte() throws Exception {
        byte[] bytes = random(100_000);
        assertThat(store().put("media/a/original", new ByteArrayInputStream(bytes), "image/png", "attachment"))
                .isEqualTo(bytes.length);

        assertThat(store().size("media/a/original")).contains((long) bytes.length);
        try (InputStream in = store().open("media/a/original")) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
    }

    @Test
    void anObjectLargerThanAPartIsStoredWholeStreamedInParts() throws Exception {
        byte[] bytes = random(11 * 1024 * 1024 + 17);
        store().put("media/big/original", new ByteArrayInputStream(bytes), "video/mp4", "attachment");

        try (InputStream in = store().open("media/big/original")) {
            assertThat(sha(in.readAllBytes())).isEqualTo(sha(bytes));
        }
    }

    @Test
    void aClientUploadsWithTheSignedUrlAndDownloadsWithAnother() throws Exception {
        byte[] bytes = random(50_000);
        SignedRequest upload = store().presignUpload("uploads/u1", "image/jpeg", 60_000, Duration.ofMinutes(5));
        HttpRequest.Builder put = HttpRequest.newBuilder(resolve(upload.url()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        upload.headers().forEach(put::header);
        HttpResponse<String> stored = http.send(put.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stored.statusCode()).as(stored.body()).isBetween(200, 299);
        assertThat(store().size("uploads/u1")).contains((long) bytes.length);

        SignedRequest download = store().presignDownload("uploads/u1", "image/jpeg", "beach photo.jpg", false,
                Duration.ofMinutes(5));
        HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(resolve(download.url())).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(bytes);
        assertThat(got.headers().firstValue("Content-Type")).contains("image/jpeg");
        assertThat(got.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment").contains("beach photo.jpg");
    }

    @Test
    void aDownloadUrlWithAnotherKeyIsRefused() throws Exception {
        store().put("media/x/original", new ByteArrayInputStream(random(10)), "image/png", "attachment");
        store().put("media/y/original", new ByteArrayInputStream(random(10)), "image/png", "attachment");
        String url = store().presignDownload("media/x/original", "image/png", "x.png", true, Duration.ofMinutes(5))
                .url();

        HttpResponse<String> got = http.send(HttpRequest.newBuilder(resolve(url.replace("media/x/", "media/y/")))
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(got.statusCode()).isEqualTo(403);
    }

    @Test
    void anExpiredDownloadUrlIsRefused() throws Exception {
        store().put("media/e/original", new ByteArrayInputStream(random(10)), "image/png", "attachment");
        String url = store().presignDownload("media/e/original", "image/png", "e.png", true, Duration.ofSeconds(1))
                .url();
        Thread.sleep(2_500); // past the expiry, which both drivers count in whole seconds

        HttpResponse<String> got = http.send(HttpRequest.newBuilder(resolve(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(got.statusCode()).isEqualTo(403);
    }

    @Test
    void aDeletedObjectIsGoneAndDeletingAgainIsFine() throws Exception {
        store().put("media/d/original", new ByteArrayInputStream(random(10)), "image/png", "attachment");
        String url = store().presignDownload("media/d/original", "image/png", "d.png", true, Duration.ofMinutes(5))
                .url();

        store().delete("media/d/original");
        store().delete("media/d/original");

        assertThat(store().size("media/d/original")).isEmpty();
        HttpResponse<String> got = http.send(HttpRequest.newBuilder(resolve(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(got.statusCode()).isIn(403, 404);
    }

    @Test
    void aMissingObjectHasNoSize() {
        assertThat(store().size("media/never/original")).isEmpty();
    }

    static byte[] random(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }

    static String sha(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
