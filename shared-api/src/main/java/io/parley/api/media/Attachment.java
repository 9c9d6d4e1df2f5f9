package io.parley.api.media;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * A picture, video or file attached to a message: what the server found when it inspected the stored bytes, never
 * what the client declared. Carried in {@code MessageSent} (revision 2) and in the message object.
 * <p>
 * {@code url}, {@code thumbnailUrl} and {@code urlExpiresAt} are links the edge adds when it hands the message to a
 * member (signed, expiring: {@code parley.media.url-ttl}); they are never stored in an event or a read model, where
 * they are {@code null} and left out of the JSON. A {@code url} may be relative to the API's origin (the {@code local}
 * driver) or absolute (a presigned object-store URL). {@code GET /api/media/{mediaId}} answers fresh ones.
 *
 * @param mediaId     the upload's id ({@code POST /api/media/uploads})
 * @param name        the file name the uploader gave, for display and download
 * @param contentType the type sniffed from the bytes (Apache Tika), e.g. {@code image/jpeg}
 * @param size        bytes of the stored original (after metadata was stripped)
 * @param sha256      lower-case hex SHA-256 of the stored original
 * @param width       pixels, for images whose size was read; else null
 * @param height      pixels, for images whose size was read; else null
 * @param thumbnail   whether a thumbnail (JPEG, at most {@code parley.media.thumbnail-size} pixels a side) exists
 */
public record Attachment(String mediaId, String name, String contentType, long size, String sha256,
                         Integer width, Integer height, boolean thumbnail,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String url,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String thumbnailUrl,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Instant urlExpiresAt) {

    /** The facts without links, as events and read models keep them. */
    public static Attachment of(String mediaId, String name, String contentType, long size, String sha256,
                                Integer width, Integer height, boolean thumbnail) {
        return new Attachment(mediaId, name, contentType, size, sha256, width, height, thumbnail, null, null, null);
    }

    /** This attachment without links. */
    public Attachment withoutLinks() {
        return url == null && thumbnailUrl == null && urlExpiresAt == null ? this
                : of(mediaId, name, contentType, size, sha256, width, height, thumbnail);
    }

    /** This attachment with links to fetch it until {@code expiresAt}; {@code thumbnailUrl} null when none. */
    public Attachment withLinks(String url, String thumbnailUrl, Instant expiresAt) {
        return new Attachment(mediaId, name, contentType, size, sha256, width, height, thumbnail, url, thumbnailUrl,
                expiresAt);
    }
}
