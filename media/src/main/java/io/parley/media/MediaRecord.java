package io.parley.media;

import io.parley.api.media.Attachment;

/**
 * One upload as the media table holds it. {@code state}: {@code PENDING} (URL handed out), {@code INSPECTING}
 * (completion running), {@code READY} (inspected, attachable), {@code DELETED} (refused, collected, its message deleted
 * or its owner erased; no bytes left). The inspected fields are null until {@code READY}.
 */
record MediaRecord(String mediaId, String ownerId, String name, String declaredType, long declaredSize, String state,
                   String contentType, Long size, String sha256, Integer width, Integer height, boolean thumbnail,
                   long createdAt) {

    static final String PENDING = "PENDING";
    static final String INSPECTING = "INSPECTING";
    static final String READY = "READY";
    static final String DELETED = "DELETED";

    boolean ready() {
        return READY.equals(state);
    }

    boolean deleted() {
        return DELETED.equals(state);
    }

    Attachment attachment() {
        return Attachment.of(mediaId, name, contentType, size == null ? 0 : size, sha256, width, height, thumbnail);
    }
}
