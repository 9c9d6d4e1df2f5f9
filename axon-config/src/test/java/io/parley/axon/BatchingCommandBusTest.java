package io.parley.axon;

import io.parley.api.error.UnavailableException;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The command batches with a commit whose durability comes later ({@link DeferredCommit}): a sender is answered only
 * once its batch is durable, in order, and the lane runs the next batch meanwhile; a lane holds at most two commands
 * waiting here.
 */
class BatchingCommandBusTest {

    record Note(@TargetAggregateIdentifier String conversationId, String text) {
    }

    /** Commits at once; each batch's durability is completed by the test. */
    private final List<CompletableFuture<Void>> writes = new CopyOnWriteArrayList<>();
    private final DeferredCommit deferred = commit -> {
        commit.run();
        CompletableFuture<Void> written = new CompletableFuture<>();
        writes.add(written);
        return written;
    };

    /** A command with this text holds the lane until the test lets it go, while the ones after it queue up. */
    private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>(Map.of(
            "first", new CountDownLatch(1), "second", new CountDownLatch(1)));
    private final List<String> handling = new CopyOnWriteArrayList<>();
    private final Map<String, CommandResultMessage<?>> answers = new ConcurrentHashMap<>();
    private final List<String> answerOrder = new CopyOnWriteArrayList<>();
    private BatchingCommandBus bus;

    @AfterEach
    void close() throws InterruptedException {
        holds.values().forEach(CountDownLatch::countDown);
        writes.forEach(written -> written.complete(null));
        bus.close();
    }

    private void start() {
        SimpleCommandBus local = SimpleCommandBus.builder().build();
        local.subscribe(Note.class.getName(), message -> {
            Note note = (Note) message.getPayload();
            handling.add(note.text());
            CountDownLatch hold = holds.get(note.text());
            if (hold != null) {
                hold.await(10, TimeUnit.SECONDS);
            }
            if (note.text().startsWith("refused")) {
                throw new IllegalArgumentException(note.text());
            }
            return note.text();
        });
        bus = new BatchingCommandBus(local, NoTransactionManager.INSTANCE, 1, 64, Duration.ZERO, 2, deferred);
    }

    /** Sends a holding command and waits until the lane is in it: what is sent next queues behind it. */
    private void sendAndHoldTheLane(String text) {
        send(text);
        await().atMost(Duration.ofSeconds(10)).until(() -> handling.contains(text));
    }

    private void send(String text) {
        bus.dispatch(GenericCommandMessage.asCommandMessage(new Note("c-1", text)), (command, result) -> {
            answers.put(text, result);
            answerOrder.add(text);
        });
    }

    @Test
    void aBatchsSendersAreAnsweredOnlyOnceItsCommitIsDurableAndTheLaneRunsTheNextBatchMeanwhile() {
        start();
        sendAndHoldTheLane("first"); // a batch of its own; [a, b] queue behind it
        send("a");
        send("b");
        holds.get("first").countDown();
        await("the batch [a, b] ran while the write of [first] was under way").atMost(Duration.ofSeconds(10))
                .until(() -> writes.size() == 2);
        assertThat(answers).as("committed, not yet durable").isEmpty();

        sendAndHoldTheLane("second");
        send("c");
        send("d");
        holds.get("second").countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.size() == 4);
        assertThat(answers).isEmpty();

        writes.get(0).complete(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.containsKey("first"));
        writes.get(1).complete(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.containsKey("b"));
        assertThat(answers.get("a").getPayload()).isEqualTo("a");
        assertThat(answers).doesNotContainKeys("second", "c", "d");
        writes.get(3).complete(null); // the later write first: its senders still wait for the one before
        writes.get(2).complete(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 6);
        assertThat(answerOrder).containsExactly("first", "a", "b", "second", "c", "d");
    }

    @Test
    void whenTheWriteFailsEverySenderOfTheBatchIsAnsweredWithTheError() {
        start();
        sendAndHoldTheLane("first");
        send("a");
        send("b");
        holds.get("first").countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.size() == 2);

        writes.get(0).complete(null);
        writes.get(1).completeExceptionally(new java.sql.SQLException("disk full"));
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 3);
        assertThat(answers.get("first").getPayload()).isEqualTo("first");
        assertThat(List.of(answers.get("a"), answers.get("b"))).allSatisfy(answer -> {
            assertThat(answer.isExceptional()).isTrue();
            assertThat(answer.exceptionResult()).hasMessageContaining("disk full");
        });
    }

    @Test
    void aLoneCommandThatFailsIsAnsweredWithItsErrorAndRunsOnce() {
        start();
        send("refused alone");
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.containsKey("refused alone"));
        assertThat(answers.get("refused alone").exceptionResult()).isInstanceOf(IllegalArgumentException.class);
        assertThat(handling).containsExactly("refused alone");
        assertThat(writes).as("nothing committed").isEmpty();
    }

    @Test
    void aCommandForAFullLaneIsRefusedAtOnceAsUnavailableAndTheWaitingOnesStillRun() {
        start();
        sendAndHoldTheLane("first");
        send("a");
        send("b");

        send("c");

        assertThat(answers).as("answered at once, while the lane is still held").containsOnlyKeys("c");
        assertThat(answers.get("c").exceptionResult()).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("busy");
        assertThat(handling).doesNotContain("c");
        assertThat(bus.refusals()).isEqualTo(1);
        assertThat(bus.queued()).isEqualTo(2);
        holds.get("first").countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.size() == 2);
        writes.forEach(write -> write.complete(null));
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 4);
        assertThat(answerOrder).containsExactly("c", "first", "a", "b");
        assertThat(answers.get("b").getPayload()).isEqualTo("b");
    }

    @Test
    void aCommandRunAgainAloneAfterItsBatchFailedIsAnsweredOnlyOnceWhatTheStoreAcceptedBeforeIsDurable() {
        start();
        sendAndHoldTheLane("first");
        send("a");
        send("refused-b"); // fails [a, refused-b] before its commit: each runs again alone
        holds.get("first").countDown();
        await("[first] written, a and refused-b each run alone").atMost(Duration.ofSeconds(10))
                .until(() -> writes.size() == 3 && handling.size() == 5);
        writes.get(0).complete(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.containsKey("first"));
        assertThat(answers).as("a may have answered from what the store accepted, not yet durable")
                .containsOnlyKeys("first");

        writes.forEach(write -> write.complete(null));
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 3);
        assertThat(answerOrder).containsExactly("first", "a", "refused-b");
        assertThat(answers.get("a").getPayload()).isEqualTo("a");
        assertThat(answers.get("refused-b").exceptionResult()).hasMessage("refused-b");
    }

    record Announcement(String text) {
    }

    @Test
    void onlyACommandForAnAggregateFromOutsideAUnitOfWorkIsQueuedSoOnlyItMayBeSentFromAThreadThatMustNotBlock()
            throws InterruptedException {
        start();
        assertThat(bus.queues(new Note("c-1", "hello"))).isTrue();
        assertThat(bus.queues(GenericCommandMessage.asCommandMessage(new Note("c-1", "hello")))).isTrue();
        assertThat(bus.queues(new Announcement("no aggregate: runs on the caller's thread"))).isFalse();
        DefaultUnitOfWork.startAndGet(null).execute(() -> assertThat(bus.queues(new Note("c-1", "nested")))
                .as("nested in the caller's unit of work: runs there").isFalse());

        bus.close();
        assertThat(bus.queues(new Note("c-1", "late"))).as("shut down: runs on the caller's thread").isFalse();
    }
}
