package io.parley.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How fast this machine is right now, so that runs made at different times can be compared: two fixed pieces of work
 * on one thread, each timed nine times after five untimed rounds, best and median printed (lower is faster):
 * {@code sha256} hashes 64 MB (the CPU alone) and {@code sort} sorts a copy of four million random longs (32 MB: the
 * CPU with the memory, as G1's copying is). Neither allocates while timed, so the check's own collections do not
 * time themselves. {@code bench/run.sh} runs it in a JVM of its own before the server starts and after the last
 * scenario, with nothing else of the benchmark running; the report lists both as {@code cpu_check_before} and
 * {@code cpu_check_after}. Added on a shared host whose speed changed within minutes: G1's CPU time per young pause
 * doubled between two runs six minutes apart (docs/benchmark.md, issue 17's thirteenth round).
 */
public final class CpuCheck {

    private static final int ROUNDS = 9;

    private CpuCheck() {
    }

    public static void main(String[] args) throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[64 * 1024];
        long[] source = new SplittableRandom(17).longs(4_000_000).toArray();
        long[] numbers = new long[source.length];
        long[] shaMillis = new long[ROUNDS];
        long[] sortMillis = new long[ROUNDS];
        long sink = 0;
        for (int round = -5; round < ROUNDS; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 1024; i++) {
                sha.update(block);
            }
            sink += sha.digest()[0];
            long hashed = System.nanoTime();
            System.arraycopy(source, 0, numbers, 0, source.length);
            Arrays.sort(numbers);
            sink += numbers[numbers.length / 2];
            long sorted = System.nanoTime();
            if (round >= 0) {
                shaMillis[round] = (hashed - start) / 1_000_000;
                sortMillis[round] = (sorted - hashed) / 1_000_000;
            }
        }
        System.out.printf("sha256 %s, sort %s (best/median ms of %d; lower is faster)%n", bestAndMedian(shaMillis),
                bestAndMedian(sortMillis), ROUNDS + (sink == 42 ? 1 : 0));
    }

    private static String bestAndMedian(long[] millis) {
        Arrays.sort(millis);
        return millis[0] + "/" + millis[millis.length / 2];
    }
}
