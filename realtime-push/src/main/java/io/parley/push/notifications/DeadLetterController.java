package io.parley.push.notifications;

import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.notify.store.DeliveryStore;
import io.parley.notify.store.DeliveryStore.DeadLetter;
import io.parley.push.Backend;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.List;

/**
 * Notifications that failed every attempt, for an operator (ADMIN, by the security chain's rule for
 * {@code /api/admin/**}): list them with the reason, and send one again (a fresh round of attempts).
 */
@RestController
@RequestMapping("/api/admin/notifications/dead-letters")
class DeadLetterController {

    static final int MAX_LIMIT = 500;

    private final DeliveryStore deliveries;
    private final Backend backend;

    DeadLetterController(DeliveryStore deliveries, Backend backend) {
        this.deliveries = deliveries;
        this.backend = backend;
    }

    @GetMapping
    Mono<List<DeadLetter>> list(@RequestParam(required = false) Integer limit) {
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw new InvalidCommandException("limit must be between 1 and " + MAX_LIMIT);
        }
        return Mono.fromCallable(() -> deliveries.deadLetters(n)).subscribeOn(backend.workers());
    }

    @PostMapping("/{deliveryId}/retry")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Mono<Void> retry(@PathVariable String deliveryId) {
        return Mono.fromCallable(() -> deliveries.retryDead(deliveryId, Instant.now()))
                .subscribeOn(backend.workers())
                .flatMap(retried -> retried ? Mono.<Void>empty()
                        : Mono.error(new NotFoundException("no dead letter " + deliveryId)));
    }
}
