package io.parley.bench.load;

import io.parley.bench.Cpu;
import io.parley.bench.Latency;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load over 1:1 conversations: a fixed send schedule (message k is due at {@code t0 + k/rate}) that never
 * waits for acks. Senders take turns round-robin; each user sends to its partner, so every user both sends and
 * receives. Each {@code send} carries its global index in the client id and in the text, so the ack and the
 * recipient's {@code message} frame find the send times in the {@link Tracker}.
 */
public final class OpenLoop {

    /** A user's socket and the conversation it sends to. */
    public record Sender(Socket socket, String conversationId) {
    }

    public record Settings(int rate, int warmupSeconds, int measureSeconds, int drainSeconds, int textSize,
                           double maxBacklogSeconds) {
    }

    private static final AtomicLong NEXT_INDEX = new AtomicLong(1);

    private final List<Sender> senders;
    private final Cpu cpu;
    private final String label;
    private volatile Tracker current;

    public OpenLoop(List<Sender> senders, Cpu cpu, String label) {
        this.senders = senders;
        this.cpu = cpu;
        this.label = label;
    }

    /** The listener every socket of this scenario reports to. */
    public void onFrame(Socket socket, String text) {
        long now = System.nanoTime();
        Tracker tracker = current;
        Frame f = Frame.parse(text);
        if (tracker == null || f.type == null) {
            return;
        }
        switch (f.type) {
            case "ack" -> {
                long index = indexOfId(f.id);
                if (index > 0) {
                    tracker.acked(index, now);
                }
            }
            case "message" -> {
                if (f.conversationId != null && f.seq > 0) {
                    Long last = socket.lastSeq.put(f.conversationId, f.seq);
                    if (last != null && f.seq <= last) {
                        OUT_OF_ORDER.increment();
                    } else if (last != null && f.seq > last + 1) {
                        GAPS.increment();
                    }
                }
                if (socket.userId.equals(f.senderId)) {
                    return; // the sender's own copy
                }
                long index = indexOfText(f.text);
                if (index > 0) {
                    tracker.delivered(index, now);
                }
            }
            case "error" -> tracker.error(f.code);
            default -> {
            }
        }
    }

    public static final java.util.concurrent.atomic.LongAdder GAPS = new java.util.concurrent.atomic.LongAdder();
    public static final java.util.concurrent.atomic.LongAdder OUT_OF_ORDER = new java.util.concurrent.atomic.LongAdder();

    /** Runs one rate: warm-up, measurement, then a drain until everything is acked and delivered (or time is up). */
    public Map<String, Object> run(Settings s) {
        int total = s.rate() * (s.warmupSeconds() + s.measureSeconds());
        int warmupCount = s.rate() * s.warmupSeconds();
        final int scheduledWarmup = warmupCount;
        long base = NEXT_INDEX.getAndAdd(total);
        Tracker t = new Tracker(base, total, warmupCount);
        String filler = "x".repeat(Math.max(0, s.textSize() - 12));
        long gaps0 = GAPS.sum();
        long ooo0 = OUT_OF_ORDER.sum();
        int closed0 = Socket.CLOSED_BY_SERVER.get();
        current = t;

        List<Map<String, Object>> series = new ArrayList<>();
        long t0 = System.nanoTime() + 20_000_000L;
        Progress progress = new Progress(t, t0, series, s.rate());
        progress.start();

        long measureStartNanos = t0 + (long) warmupCount * 1_000_000_000L / s.rate();
        Cpu.Sample cpuAtStart = cpu.sample();
        Cpu.Sample cpuAtMeasure = null;
        long acksAtMeasure = 0;
        long deliveredAtMeasure = 0;
        boolean overloaded = false;
        int k = 0;
        for (; k < total; k++) {
            long due = t0 + (long) k * 1_000_000_000L / s.rate();
            long now = System.nanoTime();
            while (now < due) {
                long wait = due - now;
                if (wait > 50_000) {
                    LockSupport.parkNanos(Math.min(wait - 20_000, 1_000_000));
                } else {
                    Thread.onSpinWait();
                }
                now = System.nanoTime();
            }
            if (k == scheduledWarmup) {
                cpuAtMeasure = cpu.sample();
                acksAtMeasure = t.ackCount.sum();
                deliveredAtMeasure = t.deliveredCount.sum();
            }
            if ((k & 255) == 0 && t.sent.get() - t.ackCount.sum() - t.errorCount() > s.maxBacklogSeconds() * s.rate()) {
                overloaded = true;
                break;
            }
            Sender sender = senders.get(k % senders.size());
            long index = base + k;
            t.sending(k, due, now);
            sender.socket().send("{\"type\":\"send\",\"id\":\"m" + index + "\",\"conversationId\":\""
                    + sender.conversationId() + "\",\"text\":\"" + index + " " + filler + "\"}");
        }
        long scheduleEnd = System.nanoTime();
        Cpu.Sample cpuAtEnd = cpu.sample();
        long acksAtEnd = t.ackCount.sum();
        long deliveredAtEnd = t.deliveredCount.sum();
        boolean warmupOnly = cpuAtMeasure == null;
        if (warmupOnly) {
            // stopped (overloaded) before the warm-up ended: the figures cover everything that was sent
            cpuAtMeasure = cpuAtStart;
            acksAtMeasure = 0;
            deliveredAtMeasure = 0;
            measureStartNanos = t0;
            warmupCount = 0;
        }
        double measured = Math.max(1e-9, (scheduleEnd - Math.min(measureStartNanos, scheduleEnd)) / 1e9);
        int sentCount = (int) t.sent.get();

        long drainUntil = System.nanoTime() + s.drainSeconds() * 1_000_000_000L;
        while (System.nanoTime() < drainUntil
                && (t.ackCount.sum() + t.errorCount() < sentCount || t.deliveredCount.sum() < t.ackCount.sum())) {
            sleep(50);
        }
        double drainSeconds = (System.nanoTime() - scheduleEnd) / 1e9;
        progress.finish();
        current = null;

        Histogram ack = warmupOnly ? t.ackEvery.getIntervalHistogram() : t.ack.getIntervalHistogram();
        Histogram e2e = warmupOnly ? t.e2eEvery.getIntervalHistogram() : t.e2e.getIntervalHistogram();
        Histogram ackRaw = t.ackRaw.getIntervalHistogram();
        Histogram e2eRaw = t.e2eRaw.getIntervalHistogram();

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("label", label);
        r.put("offeredRate", s.rate());
        r.put("warmupSeconds", s.warmupSeconds());
        r.put("measureSeconds", round(measured));
        r.put("senders", senders.size());
        r.put("textSize", s.textSize());
        r.put("overloaded", overloaded);
        r.put("figuresIncludeWarmup", warmupOnly);
        r.put("sent", sentCount);
        r.put("sentPerSecondMeasured", round((Math.max(0, sentCount - warmupCount)) / measured));
        r.put("ackedPerSecond", round((acksAtEnd - acksAtMeasure) / measured));
        r.put("deliveredPerSecond", round((deliveredAtEnd - deliveredAtMeasure) / measured));
        r.put("acked", t.ackCount.sum());
        r.put("delivered", t.deliveredCount.sum());
        r.put("notAcked", sentCount - t.ackCount.sum() - t.errorCount());
        r.put("notDelivered", t.ackCount.sum() - t.deliveredCount.sum());
        r.put("drainSeconds", round(drainSeconds));
        r.put("errors", new TreeMap<>(t.errors.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))));
        r.put("duplicateDeliveries", t.duplicateDeliveries.sum());
        r.put("duplicateAcks", t.duplicateAcks.sum());
        r.put("seqGaps", GAPS.sum() - gaps0);
        r.put("seqOutOfOrder", OUT_OF_ORDER.sum() - ooo0);
        r.put("socketsClosedByServer", Socket.CLOSED_BY_SERVER.get() - closed0);
        r.put("ackLatency", Latency.summary(ack));
        r.put("e2eLatency", Latency.summary(e2e));
        r.put("ackLatencyUncorrected", Latency.summary(ackRaw));
        r.put("e2eLatencyUncorrected", Latency.summary(e2eRaw));
        Cpu.Use use = cpu.between(cpuAtMeasure, cpuAtEnd);
        r.put("cpu", Map.of("serverPct", use.serverPct(), "generatorPct", use.generatorPct(),
                "machinePct", use.machinePct(), "cores", use.cores()));
        long ackedMeasured = acksAtEnd - acksAtMeasure;
        boolean writesKnown = ackedMeasured > 0 && cpuAtMeasure.serverWrittenBytes() >= 0
                && cpuAtEnd.serverWrittenBytes() >= 0;
        String writes = "";
        if (writesKnown) {
            long perMessage = (cpuAtEnd.serverWrittenBytes() - cpuAtMeasure.serverWrittenBytes()) / ackedMeasured;
            r.put("serverWrittenBytesPerMessage", perMessage);
            writes = String.format(", server wrote %,d bytes per message", perMessage);
        }
        r.put("e2eCurve", Latency.curve(e2e));
        r.put("e2eCurveUncorrected", Latency.curve(e2eRaw));
        r.put("ackCurve", Latency.curve(ack));
        r.put("series", series);
        System.out.printf("  => %s rate %d/s: acked %.0f/s delivered %.0f/s, ack p99 %s ms, e2e p50 %s p99 %s p99.9 %s max %s ms, "
                        + "server CPU %.0f%%, generator CPU %.0f%%, machine %.0f%%%s%s%n",
                label, s.rate(), r.get("ackedPerSecond"), r.get("deliveredPerSecond"),
                ((Map<?, ?>) r.get("ackLatency")).get("p99Ms"), ((Map<?, ?>) r.get("e2eLatency")).get("p50Ms"),
                ((Map<?, ?>) r.get("e2eLatency")).get("p99Ms"), ((Map<?, ?>) r.get("e2eLatency")).get("p999Ms"),
                ((Map<?, ?>) r.get("e2eLatency")).get("maxMs"), use.serverPct(), use.generatorPct(),
                use.machinePct(), writes, overloaded ? " (OVERLOADED: backlog limit hit, schedule stopped)" : "");
        return r;
    }

    /** Once a second: the interval's rates and percentiles, printed and kept as the run's time series. */
    private final class Progress extends Thread {
        private final Tracker t;
        private final long t0;
        private final List<Map<String, Object>> series;
        private final int rate;
        private volatile boolean done;

        Progress(Tracker t, long t0, List<Map<String, Object>> series, int rate) {
            super("bench-progress");
            setDaemon(true);
            this.t = t;
            this.t0 = t0;
            this.series = series;
            this.rate = rate;
        }

        @Override
        public void run() {
            long lastSent = 0;
            long lastAcked = 0;
            long lastDelivered = 0;
            Cpu.Sample last = cpu.sample();
            long next = System.nanoTime() + 1_000_000_000L;
            Histogram ackH = null;
            Histogram e2eH = null;
            while (!done) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                next += 1_000_000_000L;
                Cpu.Sample now = cpu.sample();
                Cpu.Use use = cpu.between(last, now);
                last = now;
                ackH = t.ackInterval.getIntervalHistogram(ackH);
                e2eH = t.e2eInterval.getIntervalHistogram(e2eH);
                long sent = t.sent.get();
                long acked = t.ackCount.sum();
                long delivered = t.deliveredCount.sum();
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("t", round((now.wallNanos() - t0) / 1e9));
                point.put("offered", sent - lastSent);
                point.put("acked", acked - lastAcked);
                point.put("delivered", delivered - lastDelivered);
                point.put("ackP50Ms", pct(ackH, 50));
                point.put("ackP99Ms", pct(ackH, 99));
                point.put("e2eP50Ms", pct(e2eH, 50));
                point.put("e2eP90Ms", pct(e2eH, 90));
                point.put("e2eP99Ms", pct(e2eH, 99));
                point.put("e2eP999Ms", pct(e2eH, 99.9));
                point.put("e2eMaxMs", e2eH.getTotalCount() == 0 ? null : Latency.ms(e2eH.getMaxValue()));
                point.put("serverCpuPct", use.serverPct());
                point.put("generatorCpuPct", use.generatorPct());
                point.put("machineCpuPct", use.machinePct());
                point.put("inFlight", sent - acked - t.errorCount());
                series.add(point);
                System.out.printf("  [%s %5d/s] t=%5.1fs offered %5d/s acked %5d/s delivered %5d/s | ack p99 %7s ms | "
                                + "e2e p50 %7s p99 %7s max %7s ms | in flight %6d | CPU server %5.1f%% gen %5.1f%% machine %5.1f%%%n",
                        label, rate, point.get("t"), sent - lastSent, acked - lastAcked, delivered - lastDelivered,
                        point.get("ackP99Ms"), point.get("e2eP50Ms"), point.get("e2eP99Ms"), point.get("e2eMaxMs"),
                        sent - acked - t.errorCount(), use.serverPct(), use.generatorPct(), use.machinePct());
                lastSent = sent;
                lastAcked = acked;
                lastDelivered = delivered;
            }
        }

        void finish() {
            done = true;
            LockSupport.unpark(this);
            try {
                join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Double pct(Histogram h, double p) {
        return h.getTotalCount() == 0 ? null : Latency.ms(h.getValueAtPercentile(p));
    }

    static long indexOfId(String id) {
        if (id == null || id.length() < 2 || id.charAt(0) != 'm') {
            return -1;
        }
        try {
            return Long.parseLong(id, 1, id.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static long indexOfText(String text) {
        if (text == null) {
            return -1;
        }
        int space = text.indexOf(' ');
        try {
            return Long.parseLong(text, 0, space < 0 ? text.length() : space, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
