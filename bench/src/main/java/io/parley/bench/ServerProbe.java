package io.parley.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server process uses, read from outside without anything exposed by the server: heap after a full GC via
 * {@code jcmd PID GC.run} + {@code GC.heap_info}, resident memory and open-file limit from /proc.
 */
public final class ServerProbe {

    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private ServerProbe() {
    }

    /** Heap used in bytes after a full GC, or -1 if jcmd failed. */
    public static long heapUsedAfterGc(long pid) {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        return m.find() ? Long.parseLong(m.group(2)) * 1024 : -1;
    }

    public static long rssBytes(long pid) {
        return statusKb(pid, "VmRSS:") * 1024;
    }

    public static int threads(long pid) {
        return (int) statusKb(pid, "Threads:");
    }

    /** The soft limit of open files of a process ("self" for this one). */
    public static long maxOpenFiles(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return "unlimited".equals(f[0]) ? Long.MAX_VALUE : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    public static long openFiles(long pid) {
        try (var files = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return files.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    static String jcmd(long pid, String command) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
