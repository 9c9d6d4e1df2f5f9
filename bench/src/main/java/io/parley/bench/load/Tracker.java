package io.parley.bench.load;

import io.parley.bench.Latency;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The side table of one open-loop run: for message k (global index {@code base + k}) its intended send time (the
 * schedule's, not when the generator got round to it) and its actual send time, both from {@link System#nanoTime()}.
 * Latency measured from the intended time is corrected for coordinated omission: if the generator or the server
 * stalls, every message that should have gone out meanwhile is charged the wait. The uncorrected figure (from the
 * actual send) is kept to show the difference.
 */
public final class Tracker {

    public final long base;
    public final int capacity;
    public final int warmupCount;
    final long[] intended;
    final long[] actual;
    private final boolean[] acked;
    private final boolean[] delivered;

    /** Every message, for the per-second series. */
    public final Recorder ackInterval = Latency.recorder();
    public final Recorder e2eInterval = Latency.recorder();
    /** Messages after the warm-up only, for the run's summary. */
    public final Recorder ack = Latency.recorder();
    public final Recorder e2e = Latency.recorder();
    /** Every message including the warm-up: the figures of a run that was overloaded before its warm-up ended. */
    public final Recorder ackEvery = Latency.recorder();
    public final Recorder e2eEvery = Latency.recorder();
    public final Recorder ackRaw = Latency.recorder();
    public final Recorder e2eRaw = Latency.recorder();

    public final AtomicLong sent = new AtomicLong();
    public final LongAdder ackCount = new LongAdder();
    public final LongAdder deliveredCount = new LongAdder();
    public final LongAdder duplicateDeliveries = new LongAdder();
    public final LongAdder duplicateAcks = new LongAdder();
    public final LongAdder stale = new LongAdder();
    public final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    public Tracker(long base, int capacity, int warmupCount) {
        this.base = base;
        this.capacity = capacity;
        this.warmupCount = warmupCount;
        this.intended = new long[capacity];
        this.actual = new long[capacity];
        this.acked = new boolean[capacity];
        this.delivered = new boolean[capacity];
    }

    void sending(int k, long intendedNanos, long nowNanos) {
        intended[k] = intendedNanos;
        actual[k] = nowNanos;
        sent.incrementAndGet();
    }

    void acked(long globalIndex, long now) {
        int k = local(globalIndex);
        if (k < 0) {
            return;
        }
        if (acked[k]) {
            duplicateAcks.increment();
            return;
        }
        acked[k] = true;
        ackCount.increment();
        long corrected = now - intended[k];
        Latency.record(ackInterval, corrected);
        Latency.record(ackEvery, corrected);
        if (k >= warmupCount) {
            Latency.record(ack, corrected);
            Latency.record(ackRaw, now - actual[k]);
        }
    }

    void delivered(long globalIndex, long now) {
        int k = local(globalIndex);
        if (k < 0) {
            return;
        }
        if (delivered[k]) {
            duplicateDeliveries.increment();
            return;
        }
        delivered[k] = true;
        deliveredCount.increment();
        long corrected = now - intended[k];
        Latency.record(e2eInterval, corrected);
        Latency.record(e2eEvery, corrected);
        if (k >= warmupCount) {
            Latency.record(e2e, corrected);
            Latency.record(e2eRaw, now - actual[k]);
        }
    }

    void error(String code) {
        errors.computeIfAbsent(code == null ? "?" : code, c -> new LongAdder()).increment();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private int local(long globalIndex) {
        long k = globalIndex - base;
        if (k < 0 || k >= capacity) {
            stale.increment();
            return -1;
        }
        return (int) k;
    }
}
