package io.parley.push.media;

import io.parley.api.media.Attachment;
import io.parley.api.wire.ClientInput;
import io.parley.media.MediaService;
import io.parley.media.SignedRequest;
import io.parley.push.Backend;
import io.parley.push.conversation.ConversationService;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.security.Principal;
import java.time.Instant;
import java.util.Map;

/**
 * Media sharing over HTTP ({@code /api/media}, every call authenticated). An upload is started (name, declared type
 * and size → a media id and a signed URL to {@code PUT} the bytes to), the bytes go to that URL (the object store's
 * with {@code s3}, Parley's own {@code /media/files/...} with {@code local}), and completing it makes the server
 * inspect what arrived. A message then attaches the media id. Fetching answers fresh expiring links; only the uploader
 * and the current members of a conversation it was sent in may. The rules are {@link MediaService}'s.
 */
@RestController
@RequestMapping("/api/media")
class MediaController {

    private final MediaService media;
    private final ConversationService conversations;
    private final Backend backend;

    MediaController(MediaService media, ConversationService conversations, Backend backend) {
        this.media = media;
        this.conversations = conversations;
        this.backend = backend;
    }

    record StartRequest(String name, String contentType, Long size) {
        StartRequest {
            ClientInput.requiredText(name, "name");
            ClientInput.requiredText(contentType, "contentType");
            ClientInput.required(size, "size");
        }
    }

    /** The answer to a started upload: {@code PUT} the bytes with {@code upload}, then complete. */
    record StartedUpload(String mediaId, String method, String url, Map<String, String> headers, Instant expiresAt,
                         long maxBytes) {
    }

    @PostMapping("/uploads")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<StartedUpload> start(Principal principal, @RequestBody StartRequest request) {
        return Mono.fromCallable(() -> {
            MediaService.Upload upload = media.start(principal.getName(), request.name(), request.contentType(),
                    request.size());
            SignedRequest put = upload.upload();
            return new StartedUpload(upload.mediaId(), put.method(), put.url(), put.headers(), put.expiresAt(),
                    upload.maxBytes());
        }).subscribeOn(backend.workers());
    }

    @PostMapping("/{mediaId}/complete")
    Mono<Attachment> complete(Principal principal, @PathVariable String mediaId) {
        return Mono.fromCallable(() -> media.complete(principal.getName(), mediaId)).subscribeOn(backend.workers());
    }

    @GetMapping("/{mediaId}")
    Mono<Attachment> fetch(Principal principal, @PathVariable String mediaId) {
        String user = principal.getName();
        return Mono.fromCallable(() -> media.fetch(user, mediaId,
                conversationId -> conversations.isMemberNow(user, conversationId))).subscribeOn(backend.workers());
    }
}
