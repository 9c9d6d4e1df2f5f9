package io.parley.push.socket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live fan-out's events waiting for their conversation's members: in order behind their load, without holding up
 * other conversations, and bounded. Events are strings "conversation:n"; a load of a conversation waits until the test
 * lets it finish.
 */
class WaitingEventsTest {

    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Map<String, CountDownLatch> loads = new ConcurrentHashMap<>();
    private final Map<String, Boolean> loadSucceeds = new ConcurrentHashMap<>();
    private final List<String> loadsStarted = new CopyOnWriteArrayList<>();
    private WaitingEvents<String> waiting;

    @AfterEach
    void stop() {
        loads.values().forEach(CountDownLatch::countDown);
        waiting.stop();
    }

    private void start(int loaders, int maxEvents, Duration maxAge) {
        waiting = new WaitingEvents<>((conversation, first) -> {
            loadsStarted.add(first);
            try {
                loads.computeIfAbsent(conversation, c -> new CountDownLatch(1)).await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            boolean ok = loadSucceeds.getOrDefault(conversation, true);
            if (ok) {
                known.add(conversation);
            }
            return ok;
        }, delivered::add, loaders, maxEvents, maxAge);
    }

    private void submit(String event) {
        String conversation = event.substring(0, event.indexOf(':'));
        waiting.submit(conversation, event, () -> known.contains(conversation));
    }

    private void finishLoad(String conversation) {
        loads.computeIfAbsent(conversation, c -> new CountDownLatch(1)).countDown();
    }

    @Test
    void eventsWaitingForTheirMembersArriveInOrderAfterTheLoadWhileOtherConversationsGoOn() {
        start(4, 100, Duration.ofSeconds(10));
        known.add("b");
        submit("a:1");
        submit("a:2");
        submit("b:1");
        submit("a:3");
        submit("b:2");
        assertThat(delivered).as("b's members are known; a's are loading").containsExactly("b:1", "b:2");

        finishLoad("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 5);
        assertThat(delivered).containsExactly("b:1", "b:2", "a:1", "a:2", "a:3");
        assertThat(loadsStarted).containsExactly("a:1");
        submit("a:4");
        assertThat(delivered).as("known now: at once").endsWith("a:4");
        assertThat(waiting.size()).isZero();
    }

    @Test
    void whenTheLoadFailsItsEventsAreDroppedAndTheConversationsNextEventLoadsAgain() {
        start(4, 100, Duration.ofSeconds(10));
        loadSucceeds.put("a", false);
        submit("a:1");
        submit("a:2");
        finishLoad("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.size() == 0);

        loadSucceeds.put("a", true);
        submit("a:3");
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 1);
        assertThat(delivered).containsExactly("a:3");
        assertThat(loadsStarted).containsExactly("a:1", "a:3");
    }

    @Test
    void beyondTheMostEventsWaitingInAllTheNextAreNotHeld() {
        start(4, 2, Duration.ofSeconds(10));
        submit("a:1");
        submit("b:1");
        submit("a:2");
        submit("c:1");
        assertThat(waiting.size()).isEqualTo(2);
        finishLoad("a");
        finishLoad("b");
        finishLoad("c");
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.size() == 0 && delivered.size() == 2);
        assertThat(delivered).containsExactlyInAnyOrder("a:1", "b:1");
        assertThat(loadsStarted).as("c never waited").doesNotContain("c:1");
    }

    @Test
    void aLoadThatCannotStartWithinTheMaxAgeOfItsFirstEventIsNotTriedAndItsEventsAreDropped() throws Exception {
        start(1, 100, Duration.ofMillis(200));
        submit("a:1");
        await().atMost(Duration.ofSeconds(10)).until(() -> loadsStarted.contains("a:1"));
        submit("b:1"); // its load waits for the only loader
        Thread.sleep(400);
        finishLoad("a");
        finishLoad("b");

        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.size() == 0 && delivered.size() == 1);
        assertThat(delivered).containsExactly("a:1");
        assertThat(loadsStarted).containsExactly("a:1");
    }
}
