package io.parley.bench.inprocess;

import io.parley.api.conversation.ConversationCommands.OpenDirectConversation;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationIds;
import io.parley.api.error.UnavailableException;
import io.parley.api.user.UserCommands.RegisterUser;
import io.parley.bench.Cpu;
import io.parley.bench.Latency;
import io.parley.query.consistency.ConsistencyBarrier;
import io.parley.query.conversation.ConversationProjection;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code --scenario=lag}: the commit → read-model lag of {@code conversation-projection}, measured with the query
 * side's own {@link ConsistencyBarrier}. Right after a {@code SendMessage} command completed (its events are
 * committed), {@code awaitProjection} reads the event store's head and returns once the projection's saved position
 * covers it; its duration is the lag, rounded up to the barrier's next poll (it checks at once, then after 1, 2, 4, 8
 * and 16 ms pauses, 16 ms from then on).
 * <ul>
 *   <li>at rest: one send at a time, a pause between them, each followed on the same thread by the barrier;</li>
 *   <li>under load, once at each rate of the list (the same rates as the load generator's fixed-rate runs unless
 *   {@code --rates} says otherwise): an open-loop schedule at that rate (a scheduler thread hands each send, at its intended time,
 *   to a fixed pool of sender threads: Axon's simple command bus runs the handler on the calling thread, and a
 *   command's thread waits for H2's group commit, so the pool is as large as the socket edge's command pool, 64) over
 *   the conversations; for one send in {@code sampleEvery} (at random), when its command completes, the barrier is
 *   timed on a thread of its own (a pool that grows to {@code barrierThreads}: the barrier reads the head when it
 *   starts, so a sample must not wait for a thread; the wait is reported as {@code barrierQueue} and should stay
 *   near zero).</li>
 * </ul>
 * "Committed" is the command's completion: with H2's group commit that is after the file write, while the projection
 * can read the event as soon as it is committed in memory, so under load the projection may already have it when the
 * command completes (the barrier then returns at its first check).
 */
final class LagBench {

    private static final String GROUP = ConversationProjection.PROCESSING_GROUP;
    private static final String TEXT = "a benchmark message of a realistic length, some sixty characters";
    /** The schedule stops when more than this many seconds of sends are waiting: beyond, only the queue grows. */
    private static final int BACKLOG_SECONDS = 5;

    private final CommandGateway commands;
    private final ConsistencyBarrier barrier;
    private final AtomicLong clientIds = new AtomicLong();
    private String[] conversations;
    private String[][] members;

    LagBench(ConfigurableApplicationContext context) {
        this.commands = context.getBean(CommandGateway.class);
        this.barrier = context.getBean(ConsistencyBarrier.class);
    }

    /** {@code rates}: the under-load phase runs once at each, in the order given, for {@code loadSeconds} each. */
    record Settings(int users, int conversations, int warmupSeconds, int warmupRate, int restSends, int restGapMs,
                    List<Integer> rates, int loadSeconds, int sampleEvery, int senderThreads, int barrierThreads) {
        Settings {
            if (rates.isEmpty() || rates.stream().anyMatch(r -> r < 1)) {
                throw new IllegalArgumentException("--rates needs one or more rates of at least 1 send/s, not " + rates);
            }
            rates = List.copyOf(rates);
        }
    }

    Map<String, Object> run(Settings s) throws InterruptedException {
        setUp(s.users(), s.conversations());

        System.out.printf("== lag: JIT warm-up, %d s at %,d sends/s (not measured)%n", s.warmupSeconds(), s.warmupRate());
        Map<String, Object> warmup = load(s.warmupRate(), s.warmupSeconds(), s.sampleEvery(), s.senderThreads(),
                s.barrierThreads(), false);
        Thread.sleep(1000);

        System.out.printf("== lag: at rest, %d sends one at a time, %d ms apart, each followed by the barrier%n",
                s.restSends(), s.restGapMs());
        Map<String, Object> rest = atRest(s.restSends(), s.restGapMs());
        Thread.sleep(1000);

        // one under-load phase per rate; each ends with the projection caught up (load() waits for it), then a pause
        List<Map<String, Object>> underLoad = new ArrayList<>();
        for (int rate : s.rates()) {
            System.out.printf("== lag: under load, %,d sends/s for %d s (open loop), barrier timed on 1 send in %d%n",
                    rate, s.loadSeconds(), s.sampleEvery());
            underLoad.add(load(rate, s.loadSeconds(), s.sampleEvery(), s.senderThreads(), s.barrierThreads(), true));
            Thread.sleep(1000);
        }

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("users", s.users());
        r.put("conversations", s.conversations());
        r.put("warmupSeconds", s.warmupSeconds());
        r.put("warmupRate", s.warmupRate());
        r.put("warmupCommittedPerSecond", warmup.get("committedPerSecond"));
        r.put("senderThreads", s.senderThreads());
        r.put("barrierThreads", s.barrierThreads());
        r.put("barrierPolls", "checks at once, then after pauses of 1, 2, 4, 8, 16, 16, ... ms");
        r.put("atRest", rest);
        r.put("rates", s.rates());
        r.put("underLoad", underLoad);
        return r;
    }

    private void setUp(int users, int count) {
        System.out.printf("== lag: registering %d users and opening %d direct conversations (commands)%n", users, count);
        String[] ids = new String[users];
        for (int i = 0; i < users; i++) {
            ids[i] = "lag-user-" + i;
            commands.sendAndWait(new RegisterUser(ids[i], ids[i], "Lag user " + i));
        }
        conversations = new String[count];
        members = new String[count][];
        for (int c = 0; c < count; c++) {
            String a = ids[(2 * c) % users];
            String b = ids[(2 * c + 1) % users];
            conversations[c] = ConversationIds.direct(a, b);
            members[c] = new String[]{a, b};
            commands.sendAndWait(new OpenDirectConversation(conversations[c], a, b));
        }
        barrier.awaitProjection(GROUP);
    }

    private SendMessage message(long i) {
        int c = (int) (i % conversations.length);
        String sender = members[c][(int) ((i / conversations.length) % 2)];
        return new SendMessage(conversations[c], sender, "lag-" + clientIds.incrementAndGet(), TEXT);
    }

    // ---------------------------------------------------------------------------------------------------------

    private Map<String, Object> atRest(int sends, int gapMs) throws InterruptedException {
        Histogram lag = Latency.histogram();
        Histogram command = Latency.histogram();
        int errors = 0;
        for (int i = 0; i < sends; i++) {
            Thread.sleep(gapMs);
            long t0 = System.nanoTime();
            try {
                commands.sendAndWait(message(i));
            } catch (RuntimeException e) {
                errors++;
                continue;
            }
            long t1 = System.nanoTime();
            try {
                barrier.awaitProjection(GROUP);
            } catch (RuntimeException e) {
                errors++;
                continue;
            }
            long t2 = System.nanoTime();
            command.recordValue(micros(t1 - t0));
            lag.recordValue(micros(t2 - t1));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sends", sends);
        r.put("gapMs", gapMs);
        r.put("errors", errors);
        r.put("lag", Latency.summary(lag));
        r.put("command", Latency.summary(command));
        System.out.printf("   at rest: lag %s%n            command %s%n", r.get("lag"), r.get("command"));
        return r;
    }

    // ---------------------------------------------------------------------------------------------------------

    private Map<String, Object> load(int rate, int seconds, int sampleEvery, int senderThreads, int barrierThreads,
                                     boolean measured) throws InterruptedException {
        ExecutorService senders = Executors.newFixedThreadPool(senderThreads, named("lag-sender-"));
        // A barrier call holds its thread for the whole lag, and it reads the head only when it starts: a sample that
        // waited for a thread would time the lag of a later head, and while the projection stalls for a second, 100
        // samples a second hold 100 threads. So a thread per sample, up to barrierThreads (a sample beyond is skipped
        // and counted); the pool keeps 16 threads and shrinks back after a stall.
        LongAdder barrierSkipped = new LongAdder();
        AtomicInteger barriersActive = new AtomicInteger();
        AtomicInteger maxBarriersActive = new AtomicInteger();
        ThreadPoolExecutor barriers = new ThreadPoolExecutor(Math.min(16, barrierThreads), barrierThreads, 5,
                TimeUnit.SECONDS, new SynchronousQueue<>(), named("lag-barrier-"), (task, pool) -> barrierSkipped.increment());
        Recorder lag = Latency.recorder();
        Recorder lagSecond = Latency.recorder();
        Recorder ack = Latency.recorder();
        Recorder barrierQueue = Latency.recorder();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        LongAdder committed = new LongAdder();
        LongAdder committedInWindow = new LongAdder();
        LongAdder failed = new LongAdder();
        LongAdder barrierFailed = new LongAdder();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        List<Map<String, Object>> series = new ArrayList<>();

        long backlogLimit = (long) rate * BACKLOG_SECONDS;
        long start = System.nanoTime() + 50_000_000L;
        long end = start + seconds * 1_000_000_000L;
        AtomicLong windowEnd = new AtomicLong(end);
        Cpu cpu = new Cpu(-1);
        Cpu.Sample c0 = cpu.sample();
        long dispatched = 0;
        boolean overloaded = false;
        // which sends are sampled: at random (a fixed seed), not every n-th, which would hit the same conversations
        SplittableRandom sampling = new SplittableRandom(12);
        long nextReport = start + 1_000_000_000L;
        long lastCommitted = 0;
        for (long i = 0; ; i++) {
            long intended = start + i * 1_000_000_000L / rate;
            if (intended >= end) {
                break;
            }
            long now;
            while ((now = System.nanoTime()) < intended) {
                LockSupport.parkNanos(intended - now);
            }
            if (now >= nextReport) {
                long c = committed.sum();
                Histogram h = lagSecond.getIntervalHistogram();
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("t", Math.round((now - start) / 1e8) / 10.0);
                point.put("committedPerSecond", c - lastCommitted);
                point.put("inFlight", inFlight.get());
                point.put("lagSamples", h.getTotalCount());
                point.put("lagP99Ms", h.getTotalCount() == 0 ? null : Latency.ms(h.getValueAtPercentile(99)));
                series.add(point);
                if (measured) {
                    System.out.printf("   t=%4.1fs committed %,d/s, in flight %,d, lag p99 %s ms (%d samples)%n",
                            (now - start) / 1e9, c - lastCommitted, inFlight.get(), point.get("lagP99Ms"),
                            h.getTotalCount());
                }
                lastCommitted = c;
                nextReport += 1_000_000_000L;
            }
            if (inFlight.get() > backlogLimit) {
                overloaded = true;
                windowEnd.set(now);
                System.out.printf("   overloaded: more than %d s of sends in flight; schedule stopped%n", BACKLOG_SECONDS);
                break;
            }
            int now1 = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now1, Math::max);
            dispatched++;
            boolean sample = sampling.nextInt(sampleEvery) == 0;
            SendMessage command = message(i);
            senders.execute(() -> {
                CompletableFuture<Object> result;
                try {
                    result = commands.send(command);
                } catch (RuntimeException e) {
                    result = CompletableFuture.failedFuture(e);
                }
                result.whenComplete((ignored, error) -> {
                    long done = System.nanoTime();
                    inFlight.decrementAndGet();
                    if (error != null) {
                        failed.increment();
                        errors.computeIfAbsent(rootName(error), k -> new LongAdder()).increment();
                        return;
                    }
                    committed.increment();
                    if (done <= windowEnd.get()) {
                        committedInWindow.increment();
                    }
                    Latency.record(ack, done - intended);
                    if (sample) {
                        barriers.execute(() -> {
                            long b0 = System.nanoTime();
                            Latency.record(barrierQueue, b0 - done);
                            maxBarriersActive.accumulateAndGet(barriersActive.incrementAndGet(), Math::max);
                            try {
                                barrier.awaitProjection(GROUP);
                            } catch (RuntimeException e) {
                                barrierFailed.increment();
                                return;
                            } finally {
                                barriersActive.decrementAndGet();
                            }
                            long took = System.nanoTime() - b0;
                            Latency.record(lag, took);
                            Latency.record(lagSecond, took);
                        });
                    }
                });
            });
        }
        long scheduleEnd = System.nanoTime();
        double scheduleSeconds = Math.max(1e-9, (Math.min(scheduleEnd, end) - start) / 1e9);
        // drain: every send answered, every sampled barrier returned
        long drainDeadline = System.nanoTime() + 60_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < drainDeadline) {
            Thread.sleep(10);
        }
        long drained = System.nanoTime();
        senders.shutdown();
        senders.awaitTermination(10, TimeUnit.SECONDS);
        barriers.shutdown();
        barriers.awaitTermination(60, TimeUnit.SECONDS);
        Cpu.Use use = cpu.between(c0, cpu.sample());
        // the projection's catch-up once the last command has been answered
        long caughtUp0 = System.nanoTime();
        barrier.awaitProjection(GROUP);
        long caughtUp = System.nanoTime();

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("offeredRate", rate);
        r.put("seconds", seconds);
        r.put("scheduleSeconds", Math.round(scheduleSeconds * 10) / 10.0);
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
        // a lane holding parley.axon.command-queue-capacity commands refuses the next as busy: overloaded too, though
        // the schedule went on (the refused sends no longer wait)
        long refused = errorCounts.getOrDefault(UnavailableException.class.getSimpleName(), 0L);
        r.put("overloaded", overloaded || refused > 0);
        r.put("dispatched", dispatched);
        r.put("dispatchedPerSecond", Math.round(dispatched / scheduleSeconds));
        r.put("committed", committed.sum());
        r.put("committedPerSecond", Math.round(committedInWindow.sum() / scheduleSeconds));
        r.put("failed", failed.sum());
        r.put("errors", errorCounts);
        r.put("notAnsweredAfterDrain", inFlight.get());
        r.put("drainSeconds", Math.round((drained - scheduleEnd) / 1e8) / 10.0);
        r.put("maxInFlight", maxInFlight.get());
        r.put("sampleEvery", sampleEvery);
        r.put("lag", Latency.summary(lag.getIntervalHistogram()));
        r.put("barrierFailed", barrierFailed.sum());
        r.put("barrierSkipped", barrierSkipped.sum());
        r.put("maxConcurrentBarriers", maxBarriersActive.get());
        r.put("barrierQueue", Latency.summary(barrierQueue.getIntervalHistogram()));
        r.put("ackFromIntended", Latency.summary(ack.getIntervalHistogram()));
        r.put("catchUpAfterDrainMs", Latency.ms((caughtUp - caughtUp0) / 1000));
        r.put("cpu", Map.of("processPct", use.generatorPct(), "machinePct", use.machinePct()));
        r.put("series", series);
        System.out.printf("   %s: offered %,d/s, dispatched %,d/s, committed %,d/s%s, failed %d; lag %s%n"
                        + "   ack (from intended send) %s; process CPU %.0f%%, machine %.0f%%%n",
                measured ? "under load" : "warm-up", rate, r.get("dispatchedPerSecond"), r.get("committedPerSecond"),
                overloaded ? " (OVERLOADED)" : refused > 0 ? " (OVERLOADED: " + refused + " refused as busy)" : "",
                failed.sum(), r.get("lag"), r.get("ackFromIntended"),
                use.generatorPct(), use.machinePct());
        return r;
    }

    private static long micros(long nanos) {
        return Math.max(0, Math.min(Latency.MAX_MICROS, nanos / 1000));
    }

    private static String rootName(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
