package io.parley.push.erasure;

import io.parley.api.admin.AdminMessages.ProjectionStatus;
import io.parley.api.admin.AdminMessages.RebuildProjection;
import io.parley.api.error.NotFoundException;
import io.parley.api.search.SearchQueries.PurgeUserTextQuery;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.eventstore.erasure.ErasureKeys;
import io.parley.notify.store.DeviceRegistry;
import io.parley.media.MediaService;
import io.parley.push.Backend;
import io.parley.push.auth.SessionGuard;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A user's right to erasure (the user themself, or an ADMIN, by the security chain's rule): destroys the user's text
 * keys, so every message text they sent is unreadable in the event store, the audit views and the analytics stream
 * from now on, removes their push targets and notification settings (the device registry), ends every session of
 * the user (their tokens are refused, their sockets closed), then rebuilds the
 * read model that holds message text (see docs/decisions.md for the cost; the text there is sealed under the same key,
 * so it reads as erased at once and no old page holds it readable: the rebuild re-seals rows written before sealing),
 * and takes their text out of the search index, files included. Their media (every upload, attached or not) is deleted
 * first, bytes and all. An id that names no user (unknown to the directory, never had a key) is 404.
 */
@RestController
@RequestMapping("/api/users")
class ErasureController {

    /** Read models that hold message text (the conversation projection's timeline). */
    static final List<String> PROJECTIONS_WITH_TEXT = List.of("conversation-projection");

    /**
     * {@code mediaErased}: their uploads deleted; {@code searchMessagesRemoved}: the user's messages taken out of the
     * search indexes that answered.
     */
    record ErasureResult(String userId, int keysErased, List<ProjectionStatus> rebuilding, int mediaErased,
                         long searchMessagesRemoved) {
    }

    private final ObjectProvider<ErasureKeys> keys;
    private final Backend backend;
    private final SessionGuard sessions;
    private final ObjectProvider<DeviceRegistry> devices;
    private final MediaService media;
    private final QueryGateway queries;

    ErasureController(ObjectProvider<ErasureKeys> keys, Backend backend, SessionGuard sessions,
                      ObjectProvider<DeviceRegistry> devices, MediaService media, QueryGateway queries) {
        this.keys = keys;
        this.backend = backend;
        this.sessions = sessions;
        this.devices = devices;
        this.media = media;
        this.queries = queries;
    }

    @DeleteMapping("/{id}/data")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Mono<ErasureResult> erase(@PathVariable String id) {
        ErasureKeys store = keys.getIfAvailable();
        if (store == null) {
            throw new NotFoundException("erasure is not enabled on this node");
        }
        // their uploads go first, bytes and all: erasing is what the user asked for, whatever follows
        return exists(id, store)
                .filter(Boolean::booleanValue)
                .switchIfEmpty(Mono.error(() -> new NotFoundException("no such user")))
                .flatMap(known -> Mono.fromCallable(() -> media.eraseUser(id)))
                .flatMap(mediaErased -> Mono.fromCallable(() -> {
                            int erased = store.erase(id);
                            devices.ifAvailable(registry -> registry.eraseUser(id));
                            return erased;
                        })
                        .flatMap(erased -> sessions.endAllSessions(id).thenReturn(erased))
                        .flatMap(erased -> erased == 0
                                // nothing was encrypted with a key of theirs: no read model holds text to scrub
                                ? Mono.just(new ErasureResult(id, 0, List.of(), mediaErased, 0))
                                : Flux.fromIterable(PROJECTIONS_WITH_TEXT)
                                        .concatMap(name -> backend.<ProjectionStatus>send(new RebuildProjection(name)))
                                        .collectList()
                                        .zipWith(purgeSearch(id))
                                        .map(t -> new ErasureResult(id, erased, t.getT1(), mediaErased, t.getT2()))))
                .subscribeOn(backend.workers());
    }
    /**
     * A user the directory knows (read after every acknowledged write, like any read), or one who once had a text key
     * (wrote before their profile reached the directory, or was removed from it since).
     */
    private Mono<Boolean> exists(String userId, ErasureKeys store) {
        return backend.<Optional<UserView>>query(new FindUserQuery(userId),
                        ResponseTypes.optionalInstanceOf(UserView.class))
                .map(Optional::isPresent)
                .defaultIfEmpty(false)
                .flatMap(known -> known ? Mono.just(true)
                        : Mono.fromCallable(() -> store.hasHadKeys(userId)).subscribeOn(backend.workers()));
    }

    /**
     * Takes the user's text out of the search index and its files. Scatter-gather: every search index that hears the
     * query bus answers (this node's; with Axon Server, every node's). No search module: nothing to purge.
     */
    private Mono<Long> purgeSearch(String userId) {
        return Mono.fromCallable(() -> {
                    try (Stream<Long> removed = queries.scatterGather(new PurgeUserTextQuery(userId),
                            ResponseTypes.instanceOf(Long.class), 30, TimeUnit.SECONDS)) {
                        return removed.mapToLong(Long::longValue).sum();
                    }
                })
                .subscribeOn(backend.workers());
    }
}
