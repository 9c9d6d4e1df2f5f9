package io.parley.media;

import io.parley.api.media.Attachment;
import io.parley.media.MediaException.Problem;
import io.parley.testsupport.TestImages;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What media sharing does with uploads, on either driver: inspection (type from the bytes, metadata stripped,
 * thumbnails, bombs refused), limits, who may attach and fetch, and forgetting. The client's {@code PUT} to the signed
 * URL is played by writing the upload's object directly; the URLs themselves are the store contract's business.
 */
abstract class MediaServiceContract {

    static final String ALICE = "alice";
    static final String BOB = "bob";

    private MutableClock clock;
    MediaService media;

    abstract MediaStore store();

    MediaProperties properties() {
        MediaProperties d = MediaProperties.defaults();
        return new MediaProperties(d.driver(), d.urlTtl(), Duration.ofMinutes(15), Duration.ofHours(24),
                d.collectEvery(), DataSize.ofMegabytes(1), d.maxVideoSize(), d.maxFileSize(), DataSize.ofMegabytes(3),
                5, 3, 10_000_000L, 320, null, null, d.s3());
    }

    @BeforeEach
    void setUp() {
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:media-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
        media = new MediaService(store(), db, properties(), MediaScanner.NONE, clock);
        MediaSchema.migrate(db);
    }

    @Test
    void aPhotoIsKeptWithoutItsGpsPositionAndGetsAThumbnail() throws Exception {
        byte[] photo = TestImages.jpegWithGps(1600, 1200);
        assertThat(TestImages.hasExifOrGps(photo)).isTrue();

        Attachment a = upload(ALICE, "beach.jpg", "image/jpeg", photo);

        assertThat(a.contentType()).isEqualTo("image/jpeg");
        assertThat(a.width()).isEqualTo(1600);
        assertThat(a.height()).isEqualTo(1200);
        assertThat(a.thumbnail()).isTrue();
        assertThat(a.url()).isNotNull();
        assertThat(a.thumbnailUrl()).isNotNull();
        byte[] stored = read(MediaService.originalKey(a.mediaId()));
        assertThat(TestImages.hasExifOrGps(stored)).isFalse();
        assertThat(a.size()).isEqualTo(stored.length);
        assertThat(a.sha256()).isEqualTo(MediaStoreContract.sha(stored));
        assertThat(javax.imageio.ImageIO.read(new ByteArrayInputStream(stored)).getWidth()).isEqualTo(1600);
        java.awt.image.BufferedImage thumb = javax.imageio.ImageIO.read(
                new ByteArrayInputStream(read(MediaService.thumbnailKey(a.mediaId()))));
        assertThat(Math.max(thumb.getWidth(), thumb.getHeight())).isEqualTo(320);
        assertThat(store().size(MediaService.rawKey(a.mediaId()))).isEmpty();
    }

    @Test
    void htmlDeclaredAsAPictureIsRefusedAndNothingIsKept() {
        MediaService.Upload upload = media.start(ALICE, "cat.jpg", "image/jpeg", 100);
        put(upload, "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> media.complete(ALICE, upload.mediaId()))
                .isInstanceOfSatisfying(MediaException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.INVALID);
                    assertThat(e.getMessage()).contains("declared image/jpeg").contains("text/html");
                });
        assertThat(store().size(MediaService.rawKey(upload.mediaId()))).isEmpty();
        assertThat(store().size(MediaService.originalKey(upload.mediaId()))).isEmpty();
        assertNotFound(() -> media.fetch(ALICE, upload.mediaId(), c -> true));
    }

    @Test
    void htmlDeclaredAsADocumentIsKeptAsADownloadOfItsRealType() {
        Attachment a = upload(ALICE, "page.pdf", "application/pdf",
                "<html><body>hi</body></html>".getBytes(StandardCharsets.UTF_8));

        assertThat(a.contentType()).isEqualTo("text/html");
        assertThat(MediaInspector.inline(a.contentType())).isFalse();
        assertThat(a.thumbnail()).isFalse();
    }

    @Test
    void anImageOfTooManyPixelsIsRefusedAsADecompressionBomb() {
        MediaService.Upload upload = media.start(ALICE, "bomb.png", "image/png", 1000);
        put(upload, TestImages.pngClaiming(100_000, 100_000));

        assertThatThrownBy(() -> media.complete(ALICE, upload.mediaId()))
                .isInstanceOfSatisfying(MediaException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.REJECTED);
                    assertThat(e.getMessage()).contains("100000 × 100000");
                });
    }

    @Test
    void moreBytesThanDeclaredAreRefused() {
        MediaService.Upload upload = media.start(ALICE, "a.jpg", "image/jpeg", 10);
        put(upload, TestImages.jpeg(64, 64));

        assertThatThrownBy(() -> media.complete(ALICE, upload.mediaId()))
                .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE));
        assertThat(store().size(MediaService.rawKey(upload.mediaId()))).isEmpty();
    }

    @Test
    void anImageOverTheImageLimitCannotBeStarted() {
        assertThatThrownBy(() -> media.start(ALICE, "huge.jpg", "image/jpeg", 2 * 1024 * 1024))
                .isInstanceOfSatisfying(MediaException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
                    assertThat(e.getMessage()).contains("image may have at most 1048576 bytes");
                });
    }

    @Test
    void theQuotaCountsUnfinishedUploadsAtTheirDeclaredSize() {
        media.start(ALICE, "a.bin", "application/zip", 2 * 1024 * 1024);

        assertThatThrownBy(() -> media.start(ALICE, "b.bin", "application/zip", 2 * 1024 * 1024))
                .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.getMessage()).contains("quota"));
        assertThat(media.start(BOB, "b.bin", "application/zip", 2 * 1024 * 1024).mediaId()).isNotBlank();
    }

    @Test
    void uploadsStartedPerMinuteAreLimitedPerUser() {
        for (int i = 0; i < 5; i++) {
            media.start(ALICE, "a.txt", "text/plain", 10);
        }
        assertThatThrownBy(() -> media.start(ALICE, "a.txt", "text/plain", 10))
                .isInstanceOfSatisfying(MediaException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.RATE_LIMITED));
        clock.advance(Duration.ofSeconds(61));
        assertThat(media.start(ALICE, "a.txt", "text/plain", 10).mediaId()).isNotBlank();
    }

    @Test
    void onlyTheUploaderMayAttachAndOnlyFinishedMedia() {
        Attachment done = upload(ALICE, "a.jpg", "image/jpeg", TestImages.jpeg(32, 32));
        MediaService.Upload unfinished = media.start(ALICE, "b.jpg", "image/jpeg", 100);

        assertThat(media.forMessage(ALICE, List.of(done.mediaId()))).containsExactly(done.withoutLinks());
        assertThatThrownBy(() -> media.forMessage(BOB, List.of(done.mediaId())))
                .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.problem()).isEqualTo(Problem.FORBIDDEN));
        assertNotFound(() -> media.forMessage(ALICE, List.of(unfinished.mediaId())));
        assertNotFound(() -> media.forMessage(ALICE, List.of("no-such-media")));
        assertThatThrownBy(() -> media.forMessage(ALICE, List.of("a", "b", "c", "d")))
                .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.problem()).isEqualTo(Problem.INVALID));
    }

    @Test
    void membersOfAConversationItWasSentInMayFetchItAndNobodyElse() {
        Attachment a = upload(ALICE, "a.jpg", "image/jpeg", TestImages.jpeg(32, 32));
        assertThatThrownBy(() -> media.fetch(BOB, a.mediaId(), c -> true))
                .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.problem()).isEqualTo(Problem.FORBIDDEN));

        media.attached(List.of(a), "c-1", 7, "m-7");

        assertThat(media.fetch(BOB, a.mediaId(), "c-1"::equals).url()).isNotNull();
        assertThat(media.fetch(ALICE, a.mediaId(), c -> false).url()).isNotNull();
        assertThatThrownBy(() -> media.fetch(BOB, a.mediaId(), "c-2"::equals))
                .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.problem()).isEqualTo(Problem.FORBIDDEN));
    }

    @Test
    void deletingTheMessageDeletesItsMediaForEveryone() {
        Attachment a = upload(ALICE, "a.jpg", "image/jpeg", TestImages.jpeg(32, 32));
        media.attached(List.of(a), "c-1", 7, "m-7");

        media.messageDeleted("c-1", 7);

        assertNotFound(() -> media.fetch(ALICE, a.mediaId(), c -> true));
        assertThat(store().size(MediaService.originalKey(a.mediaId()))).isEmpty();
        assertThat(store().size(MediaService.thumbnailKey(a.mediaId()))).isEmpty();
    }

    @Test
    void erasingAUserRemovesAllTheirMedia() {
        Attachment a = upload(ALICE, "a.jpg", "image/jpeg", TestImages.jpeg(32, 32));
        Attachment b = upload(BOB, "b.jpg", "image/jpeg", TestImages.jpeg(32, 32));

        assertThat(media.eraseUser(ALICE)).isEqualTo(1);

        assertNotFound(() -> media.fetch(ALICE, a.mediaId(), c -> true));
        assertThat(store().size(MediaService.originalKey(a.mediaId()))).isEmpty();
        assertThat(media.fetch(BOB, b.mediaId(), c -> false).url()).isNotNull();
    }

    @Test
    void uploadsNeverCompletedOrNeverAttachedAreCollected() {
        MediaService.Upload unfinished = media.start(ALICE, "a.jpg", "image/jpeg", 1000);
        put(unfinished, TestImages.jpeg(16, 16));
        Attachment unattached = upload(ALICE, "b.jpg", "image/jpeg", TestImages.jpeg(16, 16));
        Attachment attached = upload(ALICE, "c.jpg", "image/jpeg", TestImages.jpeg(16, 16));
        media.attached(List.of(attached), "c-1", 1, "m-1");

        clock.advance(Duration.ofMinutes(16));
        assertThat(media.collect()).isEqualTo(1);
        assertThat(store().size(MediaService.rawKey(unfinished.mediaId()))).isEmpty();

        clock.advance(Duration.ofHours(24));
        assertThat(media.collect()).isEqualTo(1);
        assertNotFound(() -> media.fetch(ALICE, unattached.mediaId(), c -> true));
        assertThat(media.fetch(ALICE, attached.mediaId(), c -> true).url()).isNotNull();
    }

    @Test
    void theVirusScannerCanRefuseAnUpload() {
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:media-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        MediaSchema.migrate(db);
        MediaService scanned = new MediaService(store(), db, properties(), (name, type, bytes) -> {
            if (new String(bytes.readAllBytes(), StandardCharsets.US_ASCII).contains("EICAR")) {
                throw new MediaException(Problem.REJECTED, "the file carries a virus");
            }
        }, clock);
        MediaService.Upload upload = scanned.start(ALICE, "x.txt", "text/plain", 100);
        put(upload, "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> scanned.complete(ALICE, upload.mediaId()))
                .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.getMessage()).contains("virus"));
        assertThat(store().size(MediaService.rawKey(upload.mediaId()))).isEmpty();
    }

    Attachment upload(String user, String name, String type, byte[] bytes) {
        MediaService.Upload upload = media.start(user, name, type, bytes.length);
        put(upload, bytes);
        return media.complete(user, upload.mediaId());
    }

    void put(MediaService.Upload upload, byte[] bytes) {
        try {
            store().put(MediaService.rawKey(upload.mediaId()), new ByteArrayInputStream(bytes),
                    "application/octet-stream", "attachment");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    byte[] read(String key) throws Exception {
        try (InputStream in = store().open(key)) {
            return in.readAllBytes();
        }
    }

    static void assertNotFound(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MediaException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.NOT_FOUND));
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
