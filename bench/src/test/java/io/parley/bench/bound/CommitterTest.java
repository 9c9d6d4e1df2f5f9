package io.parley.bench.bound;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The bound's group commit tells an appender only once the store has written its group, or failed to. */
class CommitterTest {

    private static GroupStore.Appended message(long seq) {
        return new GroupStore.Appended("c", List.of("a", "b"), "a", "m" + seq, seq, 0, "t", new byte[]{1});
    }

    /** Records each outcome: "ok", or the failure's message. */
    private static final class Outcomes {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        Consumer<IOException> next() {
            return failure -> queue.add(failure == null ? "ok" : failure.getMessage());
        }

        String take() throws InterruptedException {
            String outcome = queue.poll(10, TimeUnit.SECONDS);
            assertThat(outcome).as("an outcome within 10 s").isNotNull();
            return outcome;
        }
    }

    @Test
    void anAppenderIsToldOnlyOnceTheStoreHasWrittenItsGroup() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        GroupStore store = new GroupStore() {
            @Override
            public void write(List<Appended> group) throws IOException {
                writing.countDown();
                try {
                    mayReturn.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }

            @Override
            public void close() {
            }
        };
        Outcomes outcomes = new Outcomes();
        try (Committer committer = new Committer(store, 0)) {
            committer.append(message(1), outcomes.next());

            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(outcomes.queue.poll(300, TimeUnit.MILLISECONDS)).as("told while the store writes").isNull();
            assertThat(committer.committed()).isZero();
            mayReturn.countDown();
            assertThat(outcomes.take()).isEqualTo("ok");
            assertThat(committer.committed()).isEqualTo(1);
        }
    }

    @Test
    void aFailedWriteFailsItsGroupAndTheNextGroupIsWrittenAgain() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        GroupStore store = new GroupStore() {
            @Override
            public void write(List<Appended> group) throws IOException {
                if (writes.incrementAndGet() == 1) {
                    throw new IOException("disk full");
                }
            }

            @Override
            public void close() {
            }
        };
        Outcomes outcomes = new Outcomes();
        try (Committer committer = new Committer(store, 0)) {
            committer.append(message(1), outcomes.next());
            assertThat(outcomes.take()).isEqualTo("disk full");

            committer.append(message(2), outcomes.next());
            assertThat(outcomes.take()).isEqualTo("ok");
            assertThat(committer.committed()).isEqualTo(1);
        }
    }

    @Test
    void anAppenderWhoseCallbackThrowsDoesNotStopTheWriter() throws Exception {
        GroupStore store = new GroupStore() {
            @Override
            public void write(List<Appended> group) {
            }

            @Override
            public void close() {
            }
        };
        Outcomes outcomes = new Outcomes();
        try (Committer committer = new Committer(store, 0)) {
            committer.append(message(1), failure -> {
                throw new IllegalStateException("the appender's own bug");
            });
            committer.append(message(2), outcomes.next());

            assertThat(outcomes.take()).isEqualTo("ok");
        }
    }
}
