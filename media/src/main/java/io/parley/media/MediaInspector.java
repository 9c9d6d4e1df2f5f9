package io.parley.media;

import net.coobird.thumbnailator.Thumbnails;
import org.apache.tika.Tika;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;

/**
 * Looks at an uploaded object and keeps what may be kept: the type is sniffed from the bytes (Apache Tika's magic
 * numbers; the client's type and file name are not trusted), a declared picture, video or sound must be one, the
 * virus-scan hook runs, images get their metadata stripped ({@link MetadataStripper}), their size read from the header
 * (larger than {@code parley.media.max-pixels} is refused before anything is decoded: decompression bombs) and a JPEG
 * thumbnail decoded with subsampling, so a large photo never lands in memory whole. Everything is streamed: through a
 * temporary file where an image is rewritten, straight from object to object otherwise.
 */
final class MediaInspector {

    /** Types a browser may show inline. Everything else, HTML, SVG and XML above all, is served as a download. */
    static final Set<String> INLINE = Set.of("image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4",
            "video/webm", "video/ogg", "audio/mpeg", "audio/ogg", "audio/wav", "audio/webm");
    private static final Set<String> THUMBNAILED = Set.of("image/jpeg", "image/png", "image/gif");

    private final Tika tika = new Tika();
    private final MediaProperties properties;
    private final MediaScanner scanner;

    MediaInspector(MediaProperties properties, MediaScanner scanner) {
        this.properties = properties;
        this.scanner = scanner;
    }

    /** What inspection found in the stored original. */
    record Inspected(String contentType, long size, String sha256, Integer width, Integer height, boolean thumbnail) {
    }

    /**
     * Inspects {@code rawKey}, writes the original to {@code originalKey} and a thumbnail to {@code thumbnailKey}.
     * Throws {@link MediaException} when the upload may not be kept; the caller deletes what was written then.
     */
    Inspected inspect(MediaStore store, String rawKey, String originalKey, String thumbnailKey, String name,
                      String declaredType) throws IOException {
        String type = sniff(store, rawKey);
        checkKind(declaredType, type);
        if (scanner != MediaScanner.NONE) {
            try (InputStream raw = store.open(rawKey)) {
                scanner.scan(name, type, raw);
            }
        }
        String disposition = Disposition.of(name, false);
        Integer width = null;
        Integer height = null;
        long size;
        String sha256;
        if (thumbnailable(type)) {
            int[] dimensions = dimensions(store, rawKey);
            width = dimensions[0];
            height = dimensions[1];
            if ((long) width * height > properties.maxPixels()) {
                throw new MediaException(MediaException.Problem.REJECTED, "the image has " + width + " × " + height
                        + " pixels, more than the " + properties.maxPixels() + " allowed");
            }
        }
        if (MetadataStripper.canStrip(type)) {
            Path tmp = Files.createTempFile("parley-media-", ".img");
            try {
                try (InputStream raw = store.open(rawKey); OutputStream out = Files.newOutputStream(tmp)) {
                    MetadataStripper.strip(type, new BufferedInputStream(raw), out);
                }
                try (DigestInputStream in = digesting(Files.newInputStream(tmp))) {
                    size = store.put(originalKey, in, type, disposition);
                    sha256 = hex(in);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } else {
            try (DigestInputStream in = digesting(store.open(rawKey))) {
                size = store.put(originalKey, in, type, disposition);
                sha256 = hex(in);
            }
        }
        boolean thumbnail = false;
        if (thumbnailable(type)) {
            byte[] jpeg = thumbnail(store, originalKey);
            if (jpeg != null) {
                store.put(thumbnailKey, new ByteArrayInputStream(jpeg), "image/jpeg", "inline");
                thumbnail = true;
            }
        }
        return new Inspected(type, size, sha256, width, height, thumbnail);
    }

    /** Whether a stored object of this type is served inline (else as an attachment, i.e. a download). */
    static boolean inline(String contentType) {
        return INLINE.contains(contentType);
    }

    private String sniff(MediaStore store, String key) throws IOException {
        try (InputStream in = new BufferedInputStream(store.open(key))) {
            return tika.detect(in);
        }
    }

    /** A declared picture, video or sound must be one; a declared document may be anything (and is served as such). */
    private static void checkKind(String declared, String sniffed) {
        String kind = declared.contains("/") ? declared.substring(0, declared.indexOf('/')) : declared;
        if (Set.of("image", "video", "audio").contains(kind) && !sniffed.startsWith(kind + "/")) {
            throw new MediaException(MediaException.Problem.INVALID,
                    "the file was declared " + declared + " but its bytes are " + sniffed);
        }
    }

    private static boolean thumbnailable(String type) {
        return THUMBNAILED.contains(type);
    }

    private static int[] dimensions(MediaStore store, String key) throws IOException {
        try (InputStream in = store.open(key); ImageInputStream images = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(images);
            if (!readers.hasNext()) {
                throw new MediaException(MediaException.Problem.INVALID, "the image cannot be read");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(images, true, true);
                return new int[]{reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }

    /** A JPEG of at most {@code thumbnailSize} a side, decoded with subsampling; null when the image is unreadable. */
    private byte[] thumbnail(MediaStore store, String key) throws IOException {
        try (InputStream in = store.open(key); ImageInputStream images = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(images);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(images, true, true);
                int longest = Math.max(reader.getWidth(0), reader.getHeight(0));
                int step = Math.max(1, longest / (2 * properties.thumbnailSize()));
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage image = reader.read(0, param);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Thumbnails.of(image).size(properties.thumbnailSize(), properties.thumbnailSize())
                        .outputFormat("jpg").outputQuality(0.8).imageType(BufferedImage.TYPE_INT_RGB).toOutputStream(out);
                return out.toByteArray();
            } catch (IOException | RuntimeException unreadable) {
                return null;
            } finally {
                reader.dispose();
            }
        }
    }

    private static DigestInputStream digesting(InputStream in) {
        try {
            return new DigestInputStream(in, MessageDigest.getInstance("SHA-256"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(DigestInputStream in) {
        return HexFormat.of().formatHex(in.getMessageDigest().digest());
    }
}
