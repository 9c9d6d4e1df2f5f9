package io.parley.standalone;

import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Analytics stream positions under concurrent writers and a late commit: one id per event, exact resumption (issue
 * 19), with the events in H2's table and in the event log.
 */
class AnalyticsStreamPositionsTest {

    static RunningParley parley;
    static ParleyClient analyst;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * Issue 19: with concurrent writers, events commit out of global-index order; each must still get an id of its own,
     * and a consumer that reconnects at random with {@code Last-Event-ID} and deduplicates by id must end with exactly
     * the stored events, none skipped, none repeated. Besides the writers' own races, one event is made to commit late
     * on purpose: its transaction takes a global index and stays open until the consumer has read events after it.
     */
    @ParameterizedTest(name = "events in the {0}")
    @ValueSource(strings = {"table", "log"})
    void aConsumerThatReconnectsAtRandomAndDeduplicatesByIdEndsWithExactlyTheStoredEvents(String store)
            throws Exception {
        boolean table = store.equals("table");
        try (RunningParley running = RunningParley.start(Files.createTempDirectory("parley-stream-positions"),
                "parley.roles.analysts=analyst_one", "parley.event-store=" + (table ? "jdbc" : "log"),
                "parley.limits.sends-per-second=1000", "parley.limits.sends-burst=1000",
                "parley.limits.http-per-second=1000", "parley.limits.http-burst=1000")) {
            parley = running;
            analyst = ParleyClient.signUpExactly(parley, "analyst_one");
            readsExactlyTheStoredEvents(table);
        }
    }

    /** With {@code lateCommit}, one event commits late on purpose (the table; the log writes in position order). */
    private void readsExactlyTheStoredEvents(boolean lateCommit) throws Exception {
        List<ParleyClient> writers = new ArrayList<>();
        List<String> conversations = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ParleyClient writer = ParleyClient.signUp(parley, "writer" + i);
            ParleyClient reader = ParleyClient.signUp(parley, "reader" + i);
            writers.add(writer);
            conversations.add(writer.openDirectWith(reader));
        }
        String startId = lastId();
        long startIndex = Long.parseLong(startId.split("~")[0]);
        List<CompletableFuture<Void>> writing = new ArrayList<>();
        for (int w = 0; w < writers.size(); w++) {
            ParleyClient writer = writers.get(w);
            String conversation = conversations.get(w);
            writing.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 60; i++) {
                    writer.call("POST", "/api/conversations/" + conversation + "/messages",
                            json("clientMsgId", "c" + i, "text", "concurrent " + i));
                }
            }));
        }
        // the late one: appended in a transaction held open until the consumer has read past its index
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch readPast = new CountDownLatch(lateCommit ? 1 : 0);
        EventMessage<String> lateEvent = GenericEventMessage.asEventMessage("committed late on purpose");
        TransactionTemplate transaction = new TransactionTemplate(parley.bean(PlatformTransactionManager.class));
        CompletableFuture<Void> late = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            parley.bean(EventStore.class).publish(lateEvent);
            appended.countDown();
            try {
                readPast.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(appended.await(30, TimeUnit.SECONDS)).isTrue();
        writing.add(late);
        boolean[] gap = new boolean[1];

        Random random = new Random(19);
        Map<String, String> eventIdById = new LinkedHashMap<>();
        List<String> received = new ArrayList<>();
        String lastId = startId;
        int reconnects = 0;
        while (!(CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).isDone()
                && eventIdById.containsValue(lateEvent.getIdentifier()) && eventIdById.size() >= 241)) {
            List<String[]> page = readIds(lastId, 1 + random.nextInt(25));
            reconnects++;
            for (String[] idAndEvent : page) {
                received.add(idAndEvent[1]);
                String before = eventIdById.putIfAbsent(idAndEvent[0], idAndEvent[1]);
                assertThat(before).as("id %s names one event", idAndEvent[0]).isIn(null, idAndEvent[1]);
                lastId = idAndEvent[0];
                if (idAndEvent[0].contains("~")) {
                    gap[0] = true;
                    readPast.countDown(); // a position with a gap: an event after one still committing was read
                }
            }
            assertThat(reconnects).as("the consumer keeps up").isLessThan(2_000);
        }
        late.get(10, TimeUnit.SECONDS);
        if (lateCommit) {
            assertThat(gap[0]).as("events after an uncommitted one were read (a position with a gap)").isTrue();
        } else {
            assertThat(gap[0]).as("the log shows events in position order, once written: no gaps").isFalse();
        }
        assertThat(received).as("resuming from the last id received never repeats an event").doesNotHaveDuplicates();

        List<String> stored = new ArrayList<>();
        try (BlockingStream<TrackedEventMessage<?>> store = parley.bean(EventStore.class).openStream(null)) {
            while (store.hasNextAvailable(1, TimeUnit.SECONDS)) {
                TrackedEventMessage<?> event = store.nextAvailable();
                if (event.trackingToken().position().orElse(-1) > startIndex) {
                    stored.add(event.getIdentifier());
                }
            }
        }
        assertThat(stored).contains(lateEvent.getIdentifier());
        assertThat(eventIdById.values()).as("deduplicated by id: exactly the events in the event store")
                .containsExactlyInAnyOrderElementsOf(stored);
        List<String[]> everything = readIds(startId, eventIdById.size() + 1);
        assertThat(everything).extracting(e -> e[1]).as("a replay from the start holds the same events")
                .containsExactlyInAnyOrderElementsOf(stored);
        assertThat(readIds(lastId, 1)).as("nothing after the last one").isEmpty();
    }

    /** The id of the newest event of the stream now (read from the start). */
    private static String lastId() {
        List<String[]> all = readIds("-1", Integer.MAX_VALUE);
        return all.isEmpty() ? "-1" : all.get(all.size() - 1)[0];
    }

    /** Up to {@code count} events after {@code lastEventId} as [SSE id, eventId], until none arrives for a second. */
    private static List<String[]> readIds(String lastEventId, int count) {
        List<String[]> events = new ArrayList<>();
        try {
            HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(URI.create(parley.http()
                            + "/api/streams/events")).header("Authorization", "Bearer " + analyst.token)
                    .header("Last-Event-ID", lastEventId).GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try {
                    response.body().forEach(lines::add);
                } catch (RuntimeException closed) {
                    // the body is closed below
                }
            });
            reader.setDaemon(true);
            reader.start();
            String id = null;
            while (events.size() < count) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line == null) {
                    break;
                }
                if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new String[]{id, ParleyClient.JSON.readTree(line.substring(5)).get("eventId").asText()});
                }
            }
            response.body().close();
            return events;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
