package io.parley.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU use of the server (from /proc/PID/stat), of this JVM (OperatingSystemMXBean) and of the whole machine
 * (/proc/stat), as a share of one core: 200% is both cores of a 2-core machine. The machine figure shows what
 * anything else running at the same time took. A sample also holds the bytes the server has written to storage
 * ({@code write_bytes} of /proc/PID/io: what its files took, the H2 file's rewritten pages and Lucene's segments most
 * of it), which varies far less between runs than its CPU.
 */
public final class Cpu {

    /** USER_HZ: 100 on every Linux/x86 and arm64 build. */
    private static final double TICK_NANOS = 10_000_000.0;

    public record Sample(long wallNanos, long serverNanos, long selfNanos, long machineBusyTicks, long machineTotalTicks,
                         long serverWrittenBytes) {
    }

    public record Use(double serverPct, double generatorPct, double machinePct, int cores) {
    }

    private final long serverPid;
    private final int cores = Runtime.getRuntime().availableProcessors();

    public Cpu(long serverPid) {
        this.serverPid = serverPid;
    }

    public Sample sample() {
        long[] machine = machine();
        return new Sample(System.nanoTime(), processNanos(serverPid), selfNanos(), machine[0], machine[1],
                writtenBytes(serverPid));
    }

    public Use between(Sample a, Sample b) {
        double wall = Math.max(1, b.wallNanos() - a.wallNanos());
        double server = serverPid > 0 ? 100.0 * (b.serverNanos() - a.serverNanos()) / wall : Double.NaN;
        double self = 100.0 * (b.selfNanos() - a.selfNanos()) / wall;
        long total = b.machineTotalTicks() - a.machineTotalTicks();
        double machine = total > 0 ? 100.0 * cores * (b.machineBusyTicks() - a.machineBusyTicks()) / total : Double.NaN;
        return new Use(round(server), round(self), round(machine), cores);
    }

    public static long selfNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    /** utime + stime of a process, in nanoseconds; 0 if it cannot be read. */
    public static long processNanos(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command name: state is field 3, utime field 14, stime field 15 (1-based in proc(5))
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return (long) (ticks * TICK_NANOS);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Bytes a process has caused to be written to storage ({@code write_bytes}, proc(5)); -1 if it cannot be read (no
     * server pid, or another user's process: the file is readable by its owner only).
     */
    public static long writtenBytes(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not readable: unknown, not zero
        }
        return -1;
    }

    /** [busy, total] jiffies of all CPUs. */
    private static long[] machine() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
            return new long[]{total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[]{0, 0};
        }
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 10) / 10.0;
    }
}
