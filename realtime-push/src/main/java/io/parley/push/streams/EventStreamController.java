package io.parley.push.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The global event stream for analytics consumers (ANALYST only), as Server-Sent Events: each event's {@code id} is
 * its position ({@link StreamPosition}: opaque, one per event), its {@code event} the payload type, its {@code data}
 * one JSON object (which repeats the position as {@code position}; {@code token} is the highest global index read,
 * kept for older consumers, and is not unique). {@code after=POSITION} (or the {@code Last-Event-ID} header an SSE
 * client sends when it reconnects) resumes after that event, never skipping one that committed late; without either
 * the stream starts at the first event. After catching up it stays open and
 * carries new events as they are committed. A comment opens the stream at once and keeps it alive when idle.
 * <p>
 * Backpressure: an event is read from the event store only when the client's connection asks for one (the
 * generator runs on request, on this controller's own bounded pool), so a slow consumer leaves events unread in the
 * store instead of buffered in memory. Message text is left out unless {@code parley.streams.include-text=true}.
 */
@RestController
@RequestMapping("/api/streams")
class EventStreamController {

    /** How long one pull waits for a new event before checking whether the client is still there. */
    private static final int POLL_MILLIS = 250;
    /** A comment line after this many empty polls (10 s): keeps proxies from closing an idle stream. */
    private static final int KEEP_ALIVE_POLLS = 40;

    private final EventStore eventStore;
    private final Serializer serializer;
    private final ObjectMapper json;
    private final boolean includeText;
    private final Scheduler readers;

    EventStreamController(EventStore eventStore, @Qualifier("eventSerializer") Serializer serializer, ObjectMapper json,
                          @Value("${parley.streams.include-text:false}") boolean includeText,
                          @Value("${parley.streams.max-consumers:32}") int maxConsumers) {
        this.eventStore = eventStore;
        this.serializer = serializer;
        this.json = json;
        this.includeText = includeText;
        this.readers = Schedulers.newBoundedElastic(maxConsumers, 64, "parley-streams");
    }

    @GetMapping(value = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<ObjectNode>> events(@RequestParam(required = false) String after,
                                             @RequestParam(required = false) String types,
                                             @RequestHeader(name = "Last-Event-ID", required = false)
                                             String lastEventId) {
        Set<String> wanted = types == null || types.isBlank() ? Set.of()
                : Arrays.stream(types.split(",")).map(String::trim).filter(t -> !t.isEmpty()).collect(Collectors.toSet());
        String from = after != null ? after : lastEventId == null || lastEventId.isBlank() ? "-1" : lastEventId;
        TrackingToken start = StreamPosition.parse(from);
        ServerSentEvent<ObjectNode> opened = ServerSentEvent.<ObjectNode>builder()
                .comment("parley events after " + StreamPosition.format(start)).build();
        return Flux.defer(() -> {
            AtomicInteger idlePolls = new AtomicInteger();
            return Flux.<Optional<ServerSentEvent<ObjectNode>>, BlockingStream<TrackedEventMessage<?>>>generate(
                            () -> eventStore.openStream(start),
                            (stream, sink) -> {
                                // one signal per pull: an event, a keep-alive now and then, or nothing (dropped below)
                                try {
                                    if (stream.hasNextAvailable(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                                        idlePolls.set(0);
                                        TrackedEventMessage<?> event = stream.nextAvailable();
                                        String type = event.getPayloadType().getSimpleName();
                                        sink.next(wanted.isEmpty() || wanted.contains(type)
                                                ? Optional.of(sse(event, type)) : Optional.empty());
                                    } else if (idlePolls.incrementAndGet() % KEEP_ALIVE_POLLS == 0) {
                                        sink.next(Optional.of(ServerSentEvent.<ObjectNode>builder().comment("keep-alive")
                                                .build()));
                                    } else {
                                        sink.next(Optional.empty());
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    sink.complete();
                                }
                                return stream;
                            },
                            BlockingStream::close)
                    .subscribeOn(readers, true)
                    .filter(Optional::isPresent)
                    .map(Optional::get)
                    .startWith(opened);
        });
    }

    private ServerSentEvent<ObjectNode> sse(TrackedEventMessage<?> event, String type) {
        ObjectNode line = line(event);
        return ServerSentEvent.builder(line).id(line.get("position").asText()).event(type).build();
    }

    private ObjectNode line(TrackedEventMessage<?> event) {
        ObjectNode line = json.createObjectNode();
        line.put("position", StreamPosition.format(event.trackingToken()));
        line.put("token", event.trackingToken().position().orElse(-1));
        line.put("type", event.getPayloadType().getSimpleName());
        if (event instanceof DomainEventMessage<?> domain) {
            line.put("aggregateId", domain.getAggregateIdentifier());
            line.put("sequence", domain.getSequenceNumber());
        }
        line.put("timestamp", event.getTimestamp().toString());
        line.put("eventId", event.getIdentifier());
        line.put("revision", serializer.typeForClass(event.getPayloadType()).getRevision());
        JsonNode payload = json.valueToTree(event.getPayload());
        if (payload instanceof ObjectNode object && object.has("text")) {
            if (!includeText) {
                object.remove("text");
            } else if (object.get("text").isNull()) {
                object.put("erased", true);
            }
        }
        line.set("payload", payload);
        ObjectNode metadata = json.createObjectNode();
        event.getMetaData().forEach((key, value) -> metadata.set(key, json.valueToTree(value)));
        line.set("metadata", metadata);
        return line;
    }
}
