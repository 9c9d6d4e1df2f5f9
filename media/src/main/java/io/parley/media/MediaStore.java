package io.parley.media;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * Where media bytes live: the port with two drivers, {@link LocalMediaStore} (files under the data dir, served by
 * Parley through HMAC-signed URLs) and {@link S3MediaStore} (any S3-compatible store, presigned URLs). Clients move the
 * bytes themselves, to and from the URLs this port signs; the server reads and writes them as streams, never holding an
 * object whole in memory. Keys are {@code [A-Za-z0-9/._-]} paths chosen by Parley, never by a client.
 */
public interface MediaStore {

    /**
     * A URL the client {@code PUT}s the object's bytes to until {@code ttl} has passed. The store refuses a body longer
     * than {@code maxBytes} where it can (the local driver does; S3 checks the signed {@code Content-Length}).
     */
    SignedRequest presignUpload(String key, String contentType, long maxBytes, Duration ttl);

    /**
     * A URL the client {@code GET}s the object from until {@code ttl} has passed, answered with {@code contentType} and
     * {@code Content-Disposition} ({@code inline} only when {@code inline} is true; else {@code attachment} with
     * {@code fileName}).
     */
    SignedRequest presignDownload(String key, String contentType, String fileName, boolean inline, Duration ttl);

    /** The object's size in bytes, or empty when there is no such object. */
    Optional<Long> size(String key);

    /** The object's bytes as a stream the caller closes. */
    InputStream open(String key) throws IOException;

    /**
     * Stores {@code data} (read to its end, not closed) under {@code key}, replacing what was there. Large objects go to
     * S3 as a multipart upload.
     *
     * @return bytes written
     */
    long put(String key, InputStream data, String contentType, String contentDisposition) throws IOException;

    /** Removes the object; no error when there is none. */
    void delete(String key);

    /**
     * The origin ({@code scheme://host[:port]}) the signed URLs point to, for a browser's Content-Security-Policy;
     * empty when they are relative to Parley's own origin.
     */
    default java.util.Optional<String> origin() {
        return java.util.Optional.empty();
    }

    /** Which driver this is: {@code local} or {@code s3}. */
    String driver();
}
