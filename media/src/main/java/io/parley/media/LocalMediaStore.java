package io.parley.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code local} driver, the standalone default: objects are files under {@code root}
 * ({@code ${parley.data-dir}/media}), and clients reach them through URLs under {@link #PATH} that Parley serves
 * itself, signed with {@link UrlSigner} and valid until their {@code expires} (epoch seconds). Clients use the same
 * flow as with S3: {@code PUT} to the upload URL, {@code GET} the download URL.
 * <p>
 * The edge serves the URLs: {@link #acceptUpload} and {@link #acceptDownload} check a request's signature and expiry
 * and say which file to write or read; writing goes to a temporary file first, moved into place when complete, so a
 * broken upload never leaves half an object.
 */
public final class LocalMediaStore implements MediaStore {

    /** Where the edge serves this driver's signed URLs. */
    public static final String PATH = "/media/files/";

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");

    private final Path root;
    private final UrlSigner signer;
    private final Clock clock;

    public LocalMediaStore(Path root, UrlSigner signer, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.signer = signer;
        this.clock = clock;
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the media directory " + this.root, e);
        }
    }

    /** An upload the edge may accept: the file to write and the most bytes to take. */
    public record Upload(Path target, long maxBytes) {
    }

    /** A download the edge may serve: the file and the response headers it was signed with. */
    public record Download(Path file, String contentType, String contentDisposition) {
    }

    @Override
    public SignedRequest presignUpload(String key, String contentType, long maxBytes, Duration ttl) {
        checkKey(key);
        long expires = expiry(ttl);
        String sig = signer.sign("PUT", key, Long.toString(expires), Long.toString(maxBytes));
        String url = PATH + key + "?expires=" + expires + "&max=" + maxBytes + "&sig=" + sig;
        return new SignedRequest("PUT", url, Map.of("Content-Type", contentType), Instant.ofEpochSecond(expires));
    }

    @Override
    public SignedRequest presignDownload(String key, String contentType, String fileName, boolean inline,
                                         Duration ttl) {
        checkKey(key);
        long expires = expiry(ttl);
        String disposition = Disposition.of(fileName, inline);
        String sig = signer.sign("GET", key, Long.toString(expires), contentType, disposition);
        String url = PATH + key + "?expires=" + expires + "&ct=" + encode(contentType) + "&cd=" + encode(disposition)
                + "&sig=" + sig;
        return new SignedRequest("GET", url, Map.of(), Instant.ofEpochSecond(expires));
    }

    /**
     * The upload a signed {@code PUT} may write, or empty when the signature is wrong or has expired.
     */
    public Optional<Upload> acceptUpload(String key, long expires, long maxBytes, String sig) {
        if (!KEY.matcher(key).matches() || expired(expires)
                || !signer.verify(sig, "PUT", key, Long.toString(expires), Long.toString(maxBytes))) {
            return Optional.empty();
        }
        return Optional.of(new Upload(file(key), maxBytes));
    }

    /** The download a signed {@code GET} may read, or empty when the signature is wrong, expired or the file gone. */
    public Optional<Download> acceptDownload(String key, long expires, String contentType, String disposition,
                                            String sig) {
        if (!KEY.matcher(key).matches() || expired(expires) || contentType == null || disposition == null
                || !signer.verify(sig, "GET", key, Long.toString(expires), contentType, disposition)) {
            return Optional.empty();
        }
        Path file = file(key);
        return Files.isRegularFile(file) ? Optional.of(new Download(file, contentType, disposition)) : Optional.empty();
    }

    /** A temporary file beside {@code target} to stream an upload into before {@link #commit}. */
    public Path temporaryFor(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        return Files.createTempFile(target.getParent(), ".upload-", ".part");
    }

    /** Moves a completely written temporary file into place. */
    public void commit(Path temporary, Path target) throws IOException {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public Optional<Long> size(String key) {
        try {
            return Optional.of(Files.size(file(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(file(key));
    }

    @Override
    public long put(String key, InputStream data, String contentType, String contentDisposition) throws IOException {
        Path target = file(key);
        Path tmp = temporaryFor(target);
        try {
            long n = Files.copy(data, tmp, StandardCopyOption.REPLACE_EXISTING);
            commit(tmp, target);
            return n;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(file(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String driver() {
        return "local";
    }

    private Path file(String key) {
        checkKey(key);
        Path file = root.resolve(key).normalize();
        if (!file.startsWith(root)) {
            throw new IllegalArgumentException("key outside the media directory");
        }
        return file;
    }

    private static void checkKey(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a media key: " + key);
        }
    }

    private long expiry(Duration ttl) {
        return clock.instant().plus(ttl).getEpochSecond();
    }

    private boolean expired(long expires) {
        return clock.instant().getEpochSecond() > expires;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
