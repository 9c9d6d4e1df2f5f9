package io.parley.bench;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How fast this machine is right now, so that runs made at different times can be compared. Three fixed pieces of
 * work, each timed several times after untimed rounds, best and median printed (lower is faster):
 * <ul>
 * <li>{@code sha256}: SHA-256 over 64 MB on one thread, ms: the CPU alone;</li>
 * <li>{@code sort}: a copy of four million random longs (32 MB) sorted on one thread, ms: the CPU with the memory;</li>
 * <li>{@code chase}: four million dependent reads at random over a 64 MB array, ns per read, on one thread and then on
 * both cores at once (each thread its own array): the memory's latency, which a young collection's copying waits
 * on, and what the other core's load does to it.</li>
 * </ul>
 * Nothing is allocated while timed, so the check's own collections do not time themselves. {@code bench/run.sh}
 * runs it in a JVM of its own before the server starts and after the last scenario, with nothing else of the
 * benchmark running; the report lists both as {@code cpu_check_before} and {@code cpu_check_after}. Added on a shared
 * host whose speed changed within the hour: G1's CPU time per young pause at the same load went from 20 to 40-50 ms
 * while the single-thread hash moved by less than 10% (docs/benchmark.md, issue 17's thirteenth round).
 */
public final class CpuCheck {

    private static final int ROUNDS = 9;
    private static final int CHASE_ROUNDS = 5;
    private static final int CHASE_SLOTS = 16_000_000;
    private static final int CHASE_READS = 4_000_000;

    /** Where the work's results go, so that the JIT cannot drop the work. */
    static volatile long sink;

    private CpuCheck() {
    }

    public static void main(String[] args) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[64 * 1024];
        long[] source = new SplittableRandom(17).longs(4_000_000).toArray();
        long[] numbers = new long[source.length];
        long[] shaMillis = new long[ROUNDS];
        long[] sortMillis = new long[ROUNDS];
        long results = 0;
        for (int round = -5; round < ROUNDS; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 1024; i++) {
                sha.update(block);
            }
            results += sha.digest()[0];
            long hashed = System.nanoTime();
            System.arraycopy(source, 0, numbers, 0, source.length);
            Arrays.sort(numbers);
            results += numbers[numbers.length / 2];
            long sorted = System.nanoTime();
            if (round >= 0) {
                shaMillis[round] = (hashed - start) / 1_000_000;
                sortMillis[round] = (sorted - hashed) / 1_000_000;
            }
        }
        int[] first = cycle(1);
        int[] second = cycle(2);
        long[] oneNanos = new long[CHASE_ROUNDS];
        long[] twoNanos = new long[CHASE_ROUNDS];
        for (int round = -2; round < CHASE_ROUNDS; round++) {
            long start = System.nanoTime();
            results += chase(first);
            long one = (System.nanoTime() - start) / CHASE_READS;
            long[] other = new long[1];
            Thread thread = new Thread(() -> other[0] = chase(second));
            start = System.nanoTime();
            thread.start();
            results += chase(first);
            thread.join();
            results += other[0];
            if (round >= 0) {
                oneNanos[round] = one;
                twoNanos[round] = (System.nanoTime() - start) / CHASE_READS;
            }
        }
        sink = results;
        System.out.printf("sha256 %s ms, sort %s ms, chase %s ns one thread, %s ns both cores (best/median; lower is"
                        + " faster)%n", bestAndMedian(shaMillis), bestAndMedian(sortMillis), bestAndMedian(oneNanos),
                bestAndMedian(twoNanos));
    }

    /** A random cycle through every slot: each slot holds the next one's index (Sattolo's shuffle). */
    private static int[] cycle(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[CHASE_SLOTS];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        int[] next = new int[CHASE_SLOTS];
        for (int i = 0; i < order.length; i++) {
            next[order[i]] = order[(i + 1) % order.length];
        }
        return next;
    }

    /** Follows the cycle for {@link #CHASE_READS} reads, each waiting for the one before. */
    private static long chase(int[] next) {
        int slot = 0;
        for (int i = 0; i < CHASE_READS; i++) {
            slot = next[slot];
        }
        return slot;
    }

    private static String bestAndMedian(long[] values) {
        Arrays.sort(values);
        return values[0] + "/" + values[values.length / 2];
    }
}
