package io.parley.push.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.eventstore.audit.ChainVerifier;
import io.parley.eventstore.audit.EventHistory;
import io.parley.eventstore.audit.StoredEvent;
import io.parley.push.conversation.ConversationAsOf;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.security.Principal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Auditors' view of a conversation, read from the event store itself (AUDITOR only, by the security chain's rule): its events, its state at a
 * point in time, and the verification of its hash chain. Every call is recorded in {@link AuditAccessLog} before it
 * is answered. Reads the event table directly (read-only); docs/decisions.md says why not through the query bus.
 */
@RestController
@RequestMapping("/api/audit")
class AuditController {

    /** Rows fetched per query: memory per stream is one page, whatever the conversation's length. */
    static final int PAGE = 200;

    private final ObjectProvider<EventHistory> history;
    private final ObjectProvider<ChainVerifier> verifier;
    private final StoredEvents events;
    private final AuditAccessLog accessLog;
    private final Scheduler readers = Schedulers.newBoundedElastic(4, 1000, "parley-audit");

    AuditController(ObjectProvider<EventHistory> history, ObjectProvider<ChainVerifier> verifier, StoredEvents events,
                    AuditAccessLog accessLog) {
        this.history = history;
        this.verifier = verifier;
        this.events = events;
        this.accessLog = accessLog;
    }

    @GetMapping(value = "/conversations/{id}/events", produces = "application/x-ndjson")
    Flux<ObjectNode> events(Principal principal, ServerHttpRequest request, @PathVariable String id,
                            @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        Instant since = instant("from", from);
        Instant until = instant("to", to);
        EventHistory store = store();
        return record(principal, request, "events", id, "from=" + from + "&to=" + to)
                .thenMany(pages(store, id))
                .filter(row -> inRange(row, since, until))
                .map(row -> events.line(events.read(row), true));
    }

    @GetMapping("/conversations/{id}/state")
    Mono<ConversationAsOf.State> state(Principal principal, ServerHttpRequest request, @PathVariable String id,
                                       @RequestParam(required = false) String asOf) {
        Instant at = asOf == null ? Instant.now() : instant("asOf", asOf);
        EventHistory store = store();
        return record(principal, request, "state", id, "asOf=" + asOf)
                .then(pages(store, id)
                        .filter(row -> !row.instant().isAfter(at))
                        .reduce(new ConversationAsOf(id), (state, row) -> {
                            StoredEvents.Read read = events.read(row);
                            state.apply(row.sequenceNumber(), read.payload(), read.erased());
                            return state;
                        }))
                .flatMap(state -> state.isEmpty()
                        ? Mono.error(new NotFoundException("conversation " + id + " had no events by " + at))
                        : Mono.just(state.state(at)));
    }

    @GetMapping("/conversations/{id}/verify")
    Mono<ChainVerifier.Result> verify(Principal principal, ServerHttpRequest request, @PathVariable String id) {
        ChainVerifier chain = verifier.getIfAvailable();
        if (chain == null) {
            throw new NotFoundException("this node has no event table to verify");
        }
        return record(principal, request, "verify", id, null)
                .then(Mono.fromCallable(() -> chain.verify(id)).subscribeOn(readers));
    }

    /** The latest audit calls, newest first: who looked at what, when. */
    @GetMapping("/access")
    Mono<List<AuditAccessLog.Access>> access(@RequestParam(defaultValue = "100") int limit) {
        return Mono.fromCallable(() -> accessLog.latest(limit)).subscribeOn(readers);
    }

    /**
     * The aggregate's rows a page at a time, fetched only when the consumer asks for more (requests run on the
     * reader pool, so a slow client leaves the query unissued rather than buffered).
     */
    private Flux<StoredEvent> pages(EventHistory store, String aggregateId) {
        return Flux.<List<StoredEvent>, Long>generate(() -> -1L, (after, sink) -> {
                    List<StoredEvent> page = store.page(aggregateId, after, PAGE);
                    if (page.isEmpty()) {
                        sink.complete();
                        return after;
                    }
                    sink.next(page);
                    return page.get(page.size() - 1).sequenceNumber();
                })
                .subscribeOn(readers, true)
                .concatMapIterable(page -> page, 1);
    }

    private Mono<Void> record(Principal auditor, ServerHttpRequest request, String action, String target,
                              String parameters) {
        String address = request.getRemoteAddress() == null ? null
                : Origin.http(null, request.getRemoteAddress(), null).clientAddress();
        return Mono.fromRunnable(() -> accessLog.record(auditor.getName(), action, target, parameters, address))
                .subscribeOn(readers).then();
    }

    private EventHistory store() {
        EventHistory store = history.getIfAvailable();
        if (store == null) {
            throw new NotFoundException("this node has no event table to read");
        }
        return store;
    }

    private static boolean inRange(StoredEvent row, Instant from, Instant to) {
        Instant at = row.instant();
        return (from == null || !at.isBefore(from)) && (to == null || !at.isAfter(to));
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidCommandException(name + " must be an ISO-8601 instant, e.g. 2026-01-31T12:00:00Z");
        }
    }
}
