package io.parley.push.erasure;

import io.parley.api.admin.AdminMessages.ProjectionStatus;
import io.parley.api.admin.AdminMessages.RebuildProjection;
import io.parley.api.error.NotFoundException;
import io.parley.eventstore.erasure.ErasureKeys;
import io.parley.notify.store.DeviceRegistry;
import io.parley.media.MediaService;
import io.parley.push.Backend;
import io.parley.push.auth.SessionGuard;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * A user's right to erasure (the user themself, or an ADMIN, by the security chain's rule): destroys the user's text
 * keys, so every message text they sent is unreadable in the event store, the audit views and the analytics stream
 * from now on, removes their push targets and notification settings (the device registry), ends every session of
 * the user (their tokens are refused, their sockets closed), then rebuilds the
 * read model that holds message text so it no longer shows it either (see docs/decisions.md for the cost). Their media
 * (every upload, attached or not) is deleted first, bytes and all.
 */
@RestController
@RequestMapping("/api/users")
class ErasureController {

    /** Read models that hold message text (the conversation projection's timeline). */
    static final List<String> PROJECTIONS_WITH_TEXT = List.of("conversation-projection");

    record ErasureResult(String userId, int keysErased, List<ProjectionStatus> rebuilding, int mediaErased) {
    }

    private final ObjectProvider<ErasureKeys> keys;
    private final Backend backend;
    private final SessionGuard sessions;
    private final ObjectProvider<DeviceRegistry> devices;
    private final MediaService media;

    ErasureController(ObjectProvider<ErasureKeys> keys, Backend backend, SessionGuard sessions,
                      ObjectProvider<DeviceRegistry> devices, MediaService media) {
        this.media = media;
        this.keys = keys;
        this.backend = backend;
        this.sessions = sessions;
        this.devices = devices;
    }

    @DeleteMapping("/{id}/data")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Mono<ErasureResult> erase(@PathVariable String id) {
        ErasureKeys store = keys.getIfAvailable();
        if (store == null) {
            throw new NotFoundException("erasure is not enabled on this node");
        }
        // their uploads go first, bytes and all: erasing is what the user asked for, whatever follows
        return Mono.fromCallable(() -> media.eraseUser(id))
                .flatMap(mediaErased -> Mono.fromCallable(() -> {
                            int erased = store.erase(id);
                            devices.ifAvailable(registry -> registry.eraseUser(id));
                            return erased;
                        })
                        .flatMap(erased -> sessions.endAllSessions(id).thenReturn(erased))
                        .flatMap(erased -> erased == 0
                                // nothing was encrypted with a key of theirs: no read model holds text to scrub
                                ? Mono.just(new ErasureResult(id, 0, List.of(), mediaErased))
                                : Flux.fromIterable(PROJECTIONS_WITH_TEXT)
                                        .concatMap(name -> backend.<ProjectionStatus>send(new RebuildProjection(name)))
                                        .collectList()
                                        .map(statuses -> new ErasureResult(id, erased, statuses, mediaErased))))
                .subscribeOn(backend.workers());
    }
}
