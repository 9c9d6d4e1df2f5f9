package io.parley.push.media;

import io.parley.media.LocalMediaStore;
import io.parley.media.MediaStore;
import io.parley.push.Backend;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code local} driver's signed URLs ({@code /media/files/...}), served without a token: the signature, checked by
 * {@link LocalMediaStore}, is the authority, as a presigned URL is with S3. Uploads stream to a temporary file and are
 * cut off past the signed size (413), so memory stays flat whatever the size; downloads stream from the file with the
 * signed type and disposition. Media responses get a CSP of their own ({@code SecurityHeadersWebFilter}): nothing
 * runs, even when opened directly. A wrong, changed or expired signature answers 403.
 */
@RestController
class LocalMediaFiles {

    private final MediaStore store;
    private final Backend backend;

    LocalMediaFiles(MediaStore store, Backend backend) {
        this.store = store;
        this.backend = backend;
    }

    @PutMapping(LocalMediaStore.PATH + "{*key}")
    Mono<ResponseEntity<Map<String, String>>> upload(@PathVariable String key, @RequestParam long expires,
                                                     @RequestParam long max, @RequestParam String sig,
                                                     ServerHttpRequest request) {
        if (!(store instanceof LocalMediaStore local)) {
            return Mono.just(refused(HttpStatus.NOT_FOUND, "NOT_FOUND", "media is not stored by this server"));
        }
        var accepted = local.acceptUpload(key.substring(1), expires, max, sig);
        if (accepted.isEmpty()) {
            return Mono.just(refused(HttpStatus.FORBIDDEN, "FORBIDDEN", "the upload link is wrong or has expired"));
        }
        Path target = accepted.get().target();
        long limit = accepted.get().maxBytes();
        return Mono.fromCallable(() -> local.temporaryFor(target)).subscribeOn(backend.workers())
                .flatMap(tmp -> {
                    AtomicLong received = new AtomicLong();
                    Flux<DataBuffer> body = request.getBody().handle((buffer, sink) -> {
                        if (received.addAndGet(buffer.readableByteCount()) > limit) {
                            DataBufferUtils.release(buffer);
                            sink.error(new TooLarge());
                        } else {
                            sink.next(buffer);
                        }
                    });
                    return DataBufferUtils.write(body, tmp)
                            .then(Mono.fromCallable(() -> {
                                local.commit(tmp, target);
                                return ResponseEntity.noContent().<Map<String, String>>build();
                            }).subscribeOn(backend.workers()))
                            .onErrorResume(TooLarge.class, e -> Mono.just(refused(HttpStatus.PAYLOAD_TOO_LARGE,
                                    "TOO_LARGE", "the upload is larger than the " + limit + " bytes declared")))
                            .doFinally(signal -> {
                                try {
                                    Files.deleteIfExists(tmp);
                                } catch (java.io.IOException ignored) {
                                    // the collector removes the upload's directory with it
                                }
                            });
                });
    }

    @GetMapping(LocalMediaStore.PATH + "{*key}")
    Mono<ResponseEntity<?>> download(@PathVariable String key, @RequestParam long expires,
                                     @RequestParam String ct, @RequestParam String cd, @RequestParam String sig) {
        if (!(store instanceof LocalMediaStore local)) {
            return Mono.<ResponseEntity<?>>just(refused(HttpStatus.NOT_FOUND, "NOT_FOUND", "media is not stored by this server"));
        }
        return Mono.<ResponseEntity<?>>fromCallable(() -> local.acceptDownload(key.substring(1), expires, ct, cd, sig)
                        .<ResponseEntity<?>>map(d -> ResponseEntity.ok()
                                .contentType(MediaType.parseMediaType(d.contentType()))
                                .header(HttpHeaders.CONTENT_DISPOSITION, d.contentDisposition())
                                .header(HttpHeaders.CACHE_CONTROL, "private, max-age="
                                        + Math.max(0, expires - java.time.Instant.now().getEpochSecond()))
                                .body(new FileSystemResource(d.file())))
                        .orElseGet(() -> (ResponseEntity) refused(HttpStatus.FORBIDDEN, "FORBIDDEN",
                                "the link is wrong or has expired; ask for a new one")))
                .subscribeOn(backend.workers());
    }

    private static ResponseEntity<Map<String, String>> refused(HttpStatus status, String code, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("code", code, "message", message));
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }

}
