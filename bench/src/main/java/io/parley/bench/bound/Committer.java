package io.parley.bench.bound;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Group commit for {@link PipelineBound}: one writer thread takes every message waiting (up to {@value #MAX_BATCH}),
 * hands them to the {@link GroupStore} as one group and only then tells each appender. The more messages wait while a
 * group is written, the more the next one carries, as Parley's group commit on H2 does. With a window, a group starts
 * at most once per window (Parley's {@code parley.h2.group-commit-window}, 5 ms), so that a store whose every write
 * costs much whatever it holds (H2 rewrites each changed page) writes larger groups under load.
 */
final class Committer implements AutoCloseable {

    /** Messages one group takes at most. */
    private static final int MAX_BATCH = 8_192;

    private record Pending(GroupStore.Appended message, Consumer<IOException> done) {
    }

    private final GroupStore store;
    private final long windowNanos;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicLong committed = new AtomicLong();
    private final Thread writer;
    /** Held by the writer for each write and force; a test holds it to keep writes back. */
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean closed;

    /** @param windowNanos the least time between the starts of two groups (0: none) */
    Committer(GroupStore store, long windowNanos) {
        this.store = store;
        this.windowNanos = windowNanos;
        this.writer = new Thread(this::run, "group-commit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Queues a message; {@code done} runs on the writer thread once its group is written (with null) or failed to
     * be (with the error).
     */
    void append(GroupStore.Appended message, Consumer<IOException> done) {
        if (closed) {
            done.accept(new IOException("the store is closed"));
            return;
        }
        queue.add(new Pending(message, done));
    }

    /** Messages written so far. */
    long committed() {
        return committed.get();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        List<GroupStore.Appended> group = new ArrayList<>();
        long lastStart = System.nanoTime() - windowNanos;
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                long wait = lastStart + windowNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                lastStart = System.nanoTime();
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            IOException failure = null;
            writing.lock();
            try {
                for (Pending pending : batch) {
                    group.add(pending.message());
                }
                store.write(group);
                committed.addAndGet(batch.size());
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
            } finally {
                writing.unlock();
            }
            for (Pending pending : batch) {
                try {
                    pending.done().accept(failure);
                } catch (RuntimeException e) { // one appender's failure must not stop every later group
                    System.err.println("a group commit's callback failed: " + e);
                }
            }
            batch.clear();
            group.clear();
        }
    }

    /** Keeps the writer from writing until {@link #releaseWrites()} (for tests: what waits for the disk). */
    void holdWrites() {
        writing.lock();
    }

    void releaseWrites() {
        writing.unlock();
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(60_000); // what is queued is written first (a read model behind the log may hold many)
            if (writer.isAlive()) {
                System.err.println(queue.size() + " messages not written: the writer did not finish within 60 s");
            }
            store.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new IllegalStateException("could not close the store", e);
        }
    }
}
