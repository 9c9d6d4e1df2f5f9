package io.parley.eventstore;

import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The watcher that wakes streaming processors, over Axon's in-memory storage engine. */
class ParleyEventStoreTest {

    private ParleyEventStore store;

    @AfterEach
    void shutDown() {
        store.shutDown();
    }

    private ParleyEventStore store(Duration processorWakeDelay) {
        return new ParleyEventStore(EmbeddedEventStore.builder()
                .storageEngine(new InMemoryEventStorageEngine()), processorWakeDelay);
    }

    @Test
    void aCommitWakesAStreamThatAskedToBeTold() throws Exception {
        store = store(Duration.ZERO);
        AtomicInteger wakeUps = new AtomicInteger();
        try (BlockingStream<TrackedEventMessage<?>> stream = store.openStream(null)) {
            assertThat(stream.setOnAvailableCallback(wakeUps::incrementAndGet)).isTrue();

            awaitWatching(wakeUps);

            assertThat(stream.hasNextAvailable()).isTrue();
            assertThat(stream.nextAvailable().getPayload()).isEqualTo("priming 0");
        }
    }

    @Test
    void commitsMadeWithinTheWakeDelayWakeAStreamOnceSoAProcessorTakesThemInOneBatch() throws Exception {
        // ten commits 20 ms apart, right after a wake-up: without a delay each wakes the stream; within a delay of a
        // second, they surely all fall however busy the machine is
        store = store(Duration.ofSeconds(1));
        AtomicInteger wakeUps = new AtomicInteger();
        try (BlockingStream<TrackedEventMessage<?>> stream = store.openStream(null)) {
            stream.setOnAvailableCallback(wakeUps::incrementAndGet);
            awaitWatching(wakeUps);
            int before = wakeUps.get();

            for (int i = 0; i < 10; i++) {
                store.publish(GenericEventMessage.asEventMessage("event " + i));
                Thread.sleep(20);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> wakeUps.get() > before);
            Thread.sleep(500); // a second wake-up for the same commits would come at once
            assertThat(wakeUps.get() - before).as("wake-ups for ten commits").isEqualTo(1);
        }
    }

    @Test
    void theFirstCommitAfterAQuietSpellWakesAStreamAtOnce() throws Exception {
        store = store(Duration.ofSeconds(2));
        AtomicInteger wakeUps = new AtomicInteger();
        try (BlockingStream<TrackedEventMessage<?>> stream = store.openStream(null)) {
            stream.setOnAvailableCallback(wakeUps::incrementAndGet);
            awaitWatching(wakeUps);
            Thread.sleep(2_500); // quiet for longer than the delay
            int before = wakeUps.get();

            long start = System.nanoTime();
            store.publish(GenericEventMessage.asEventMessage("after a quiet spell"));
            await().atMost(Duration.ofSeconds(10)).until(() -> wakeUps.get() > before);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not held back by the delay")
                    .isLessThan(Duration.ofSeconds(1));
        }
    }

    /**
     * Commits until the first wake-up: the watcher starts with the first callback and tails the store from the head
     * it finds then, so a commit made before it opened its tail does not wake anybody.
     */
    private void awaitWatching(AtomicInteger wakeUps) {
        AtomicInteger primed = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (wakeUps.get() > 0) {
                return true;
            }
            store.publish(GenericEventMessage.asEventMessage("priming " + primed.getAndIncrement()));
            return false;
        });
    }
}
