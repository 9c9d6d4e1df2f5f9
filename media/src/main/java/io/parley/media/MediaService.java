package io.parley.media;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.api.media.Attachment;
import io.parley.media.MediaException.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Media sharing's one door (the edge's REST controller and its message sending call it): start an upload, complete
 * it (inspection), resolve a message's attachments, sign links, check who may fetch, and forget media with its
 * message, its owner or its time. Blocking (JDBC and the store): callers run it off event-loop threads.
 * <p>
 * Who may fetch a media: its uploader, and the current members of a conversation it was sent in. A removed member
 * loses access with the membership; a deleted message's media is deleted with it, for everyone.
 */
public class MediaService {

    private static final Logger log = LoggerFactory.getLogger(MediaService.class);
    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");

    private final MediaStore store;
    private final MediaRepository repository;
    private final MediaInspector inspector;
    private final MediaProperties properties;
    private final Clock clock;

    public MediaService(MediaStore store, javax.sql.DataSource dataSource, MediaProperties properties,
                        MediaScanner scanner, Clock clock) {
        this.store = store;
        this.repository = new MediaRepository(dataSource);
        this.inspector = new MediaInspector(properties, scanner);
        this.properties = properties;
        this.clock = clock;
    }

    /** A started upload: its id, where to {@code PUT} the bytes (until {@code upload.expiresAt()}), and at most how many. */
    public record Upload(String mediaId, SignedRequest upload, long maxBytes) {
    }

    /**
     * Starts an upload of {@code size} bytes declared as {@code contentType}. Refused: a bad name or type (INVALID),
     * larger than the limit of its kind or than the user's quota leaves (TOO_LARGE), more than
     * {@code uploads-per-minute} started in the last minute (RATE_LIMITED).
     */
    /**
     * Counts finished uploads and their bytes on {@code registry} ({@code parley_media_uploads_total},
     * {@code parley_media_upload_bytes_total}); without it nothing is counted.
     */
    public MediaService countOn(MeterRegistry registry) {
        uploads = Counter.builder("parley.media.uploads")
                .description("Uploads finished and accepted (inspected, within the limits)").register(registry);
        uploadBytes = Counter.builder("parley.media.upload").baseUnit("bytes")
                .description("Bytes of the uploads finished and accepted").register(registry);
        return this;
    }

    private Counter uploads;
    private Counter uploadBytes;

    public Upload start(String userId, String name, String contentType, long size) {
        String fileName = fileName(name);
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT).trim();
        int semicolon = type.indexOf(';');
        if (semicolon >= 0) {
            type = type.substring(0, semicolon).trim();
        }
        if (!TYPE.matcher(type).matches()) {
            throw new MediaException(Problem.INVALID, "'contentType' must be a media type such as image/jpeg");
        }
        if (size < 1) {
            throw new MediaException(Problem.INVALID, "'size' must be at least 1 byte");
        }
        long limit = limitFor(type);
        if (size > limit) {
            throw new MediaException(Problem.TOO_LARGE, "a " + kindOf(type) + " may have at most " + limit
                    + " bytes; this one has " + size);
        }
        long now = clock.millis();
        if (repository.startedSince(userId, now - 60_000) >= properties.uploadsPerMinute()) {
            throw new MediaException(Problem.RATE_LIMITED, "at most " + properties.uploadsPerMinute()
                    + " uploads a minute; try again shortly");
        }
        long used = repository.bytesOf(userId);
        if (used + size > properties.quota().toBytes()) {
            throw new MediaException(Problem.TOO_LARGE, "this upload would exceed your media quota of "
                    + properties.quota().toBytes() + " bytes (" + used + " in use)");
        }
        String mediaId = UUID.randomUUID().toString();
        repository.insert(new MediaRecord(mediaId, userId, fileName, type, size, MediaRecord.PENDING, null, null,
                null, null, null, false, now));
        return new Upload(mediaId, store.presignUpload(rawKey(mediaId), type, size, properties.uploadTtl()), size);
    }

    /**
     * Completes an upload: checks the stored bytes and keeps them (see {@link MediaInspector}), then answers the
     * attachment with links. Completing a finished upload again answers the same. Refused: not the caller's
     * (FORBIDDEN), unknown or collected (NOT_FOUND), nothing or more than declared uploaded (INVALID, TOO_LARGE), a
     * completion already running (CONFLICT), the bytes not of the declared kind (INVALID), a decompression bomb or
     * the scanner's refusal (REJECTED). After a refusal nothing of the upload is kept.
     */
    public Attachment complete(String userId, String mediaId) {
        MediaRecord media = owned(userId, mediaId);
        if (media.ready()) {
            return links(media.attachment());
        }
        long stored = store.size(rawKey(mediaId)).orElseThrow(() ->
                new MediaException(Problem.INVALID, "nothing has been uploaded to this media yet"));
        if (!repository.transition(mediaId, MediaRecord.PENDING, MediaRecord.INSPECTING)) {
            throw new MediaException(Problem.CONFLICT, "this upload is being completed already");
        }
        try {
            if (stored > media.declaredSize()) {
                throw new MediaException(Problem.TOO_LARGE, "the upload has " + stored + " bytes, more than the "
                        + media.declaredSize() + " declared");
            }
            MediaInspector.Inspected found = inspector.inspect(store, rawKey(mediaId), originalKey(mediaId),
                    thumbnailKey(mediaId), media.name(), media.declaredType());
            if (found.size() > limitFor(found.contentType())) {
                throw new MediaException(Problem.TOO_LARGE, "a " + kindOf(found.contentType()) + " may have at most "
                        + limitFor(found.contentType()) + " bytes");
            }
            repository.ready(mediaId, found, clock.millis());
            store.delete(rawKey(mediaId));
            if (uploads != null) {
                uploads.increment();
                uploadBytes.increment(found.size());
            }
            return links(repository.find(mediaId).orElseThrow().attachment());
        } catch (MediaException refused) {
            forget(mediaId, false);
            throw refused;
        } catch (IOException | RuntimeException e) {
            forget(mediaId, false);
            if (e instanceof java.io.EOFException) {
                throw new MediaException(Problem.INVALID, "the file is truncated");
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * The attachments of a message {@code userId} is sending, without links, in the order given. Refused: more than
     * {@code max-attachments} (INVALID), an unknown, unfinished or deleted media (NOT_FOUND), another user's
     * (FORBIDDEN).
     */
    public List<Attachment> forMessage(String userId, List<String> mediaIds) {
        if (mediaIds.size() > properties.maxAttachments()) {
            throw new MediaException(Problem.INVALID, "a message may carry at most " + properties.maxAttachments()
                    + " attachments");
        }
        List<Attachment> attachments = new ArrayList<>();
        for (String mediaId : mediaIds) {
            MediaRecord media = owned(userId, mediaId);
            if (!media.ready()) {
                throw new MediaException(Problem.NOT_FOUND, "media " + mediaId + " is not finished; complete it first");
            }
            attachments.add(media.attachment());
        }
        return attachments;
    }

    /** Records that a sent message carries these media, so the conversation's members may fetch them. */
    public void attached(List<Attachment> attachments, String conversationId, long seq, String messageId) {
        for (Attachment a : attachments) {
            repository.recordUse(a.mediaId(), conversationId, seq, messageId);
        }
    }

    /**
     * Fresh links to a media for {@code userId}: its uploader, or a current member of a conversation it was sent in
     * ({@code isMemberOf}). Others get FORBIDDEN; unknown, unfinished or deleted media NOT_FOUND.
     */
    public Attachment fetch(String userId, String mediaId, Predicate<String> isMemberOf) {
        MediaRecord media = repository.find(mediaId).filter(m -> !m.deleted())
                .orElseThrow(() -> new MediaException(Problem.NOT_FOUND, "no such media"));
        boolean allowed = media.ownerId().equals(userId)
                || repository.conversationsOf(mediaId).stream().anyMatch(isMemberOf);
        if (!allowed) {
            throw new MediaException(Problem.FORBIDDEN, "not your media, nor sent in a conversation of yours");
        }
        if (!media.ready()) {
            throw new MediaException(Problem.NOT_FOUND, "this media is not finished");
        }
        return links(media.attachment());
    }

    /** {@code attachment} with fresh links (valid for {@code url-ttl}); for a message handed to a member. */
    public Attachment links(Attachment attachment) {
        Duration ttl = properties.urlTtl();
        SignedRequest original = store.presignDownload(originalKey(attachment.mediaId()), attachment.contentType(),
                attachment.name(), MediaInspector.inline(attachment.contentType()), ttl);
        String thumbnail = attachment.thumbnail()
                ? store.presignDownload(thumbnailKey(attachment.mediaId()), "image/jpeg", "thumbnail.jpg", true, ttl)
                .url()
                : null;
        return attachment.withLinks(original.url(), thumbnail, original.expiresAt());
    }

    /** A message was deleted: its media is deleted for everyone (bytes and all). */
    public void messageDeleted(String conversationId, long seq) {
        for (String mediaId : repository.mediaOfMessage(conversationId, seq)) {
            forget(mediaId, false);
        }
    }

    /** A user's data is erased: every upload of theirs goes, bytes and rows. Answers how many. */
    public int eraseUser(String userId) {
        List<String> media = repository.mediaOfOwner(userId);
        media.forEach(id -> forget(id, true));
        return media.size();
    }

    /**
     * Deletes uploads never completed within {@code upload-ttl} and finished ones never attached within
     * {@code unattached-ttl}. Answers how many.
     */
    public int collect() {
        Instant now = clock.instant();
        List<String> doomed = new ArrayList<>(repository.unfinished(now.minus(properties.uploadTtl()).toEpochMilli()));
        doomed.addAll(repository.unattached(now.minus(properties.unattachedTtl()).toEpochMilli()));
        doomed.forEach(id -> forget(id, true));
        if (!doomed.isEmpty()) {
            log.info("collected {} unfinished or unattached uploads", doomed.size());
        }
        return doomed.size();
    }

    public String driver() {
        return store.driver();
    }

    private MediaRecord owned(String userId, String mediaId) {
        MediaRecord media = repository.find(mediaId).filter(m -> !m.deleted())
                .orElseThrow(() -> new MediaException(Problem.NOT_FOUND, "no such media " + mediaId));
        if (!media.ownerId().equals(userId)) {
            throw new MediaException(Problem.FORBIDDEN, "media " + mediaId + " is not yours");
        }
        return media;
    }

    /** Deletes the bytes; the row is removed ({@code removeRow}) or kept as DELETED so links and attaches say 404. */
    private void forget(String mediaId, boolean removeRow) {
        for (String key : List.of(rawKey(mediaId), originalKey(mediaId), thumbnailKey(mediaId))) {
            try {
                store.delete(key);
            } catch (RuntimeException e) {
                log.warn("could not delete a media object; the collector tries again", e);
            }
        }
        if (removeRow) {
            repository.remove(mediaId);
        } else {
            repository.markDeleted(mediaId);
        }
    }

    private long limitFor(String type) {
        return switch (kindOf(type)) {
            case "image" -> properties.maxImageSize().toBytes();
            case "video" -> properties.maxVideoSize().toBytes();
            default -> properties.maxFileSize().toBytes();
        };
    }

    private static String kindOf(String type) {
        return type.startsWith("image/") ? "image" : type.startsWith("video/") ? "video" : "file";
    }

    private static String fileName(String name) {
        if (name == null || name.isBlank()) {
            throw new MediaException(Problem.INVALID, "'name' is required");
        }
        String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).strip();
        if (base.isEmpty() || base.length() > 255 || base.chars().anyMatch(Character::isISOControl)) {
            throw new MediaException(Problem.INVALID, "'name' must be a file name of 1 to 255 characters");
        }
        return base;
    }

    static String rawKey(String mediaId) {
        return "uploads/" + mediaId;
    }

    static String originalKey(String mediaId) {
        return "media/" + mediaId + "/original";
    }

    static String thumbnailKey(String mediaId) {
        return "media/" + mediaId + "/thumbnail";
    }
}
