package io.parley.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The standalone application in a JVM of its own, so that a test can kill it the hard way (SIGKILL) and start it
 * again on the same data directory. It reuses the test's class path.
 */
final class ParleyProcess implements AutoCloseable {

    private final Path dataDir;
    private final Path log;
    private final List<String> properties;
    final int port;
    private Process process;

    ParleyProcess(Path dataDir, String... properties) {
        this.dataDir = dataDir;
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        this.properties = List.of(properties);
        this.port = freePort();
    }

    ParleyProcess start() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                ParleyApplication.class.getName(),
                "--server.port=" + port, "--parley.data-dir=" + dataDir.toAbsolutePath()));
        properties.forEach(property -> command.add("--" + property));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            awaitReady();
        } catch (RuntimeException notReady) {
            process.destroyForcibly(); // never leave a half-started server behind
            throw notReady;
        }
        return this;
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM: a graceful shutdown; waits for the process to end and answers its exit code. */
    int terminate(Duration patience) {
        process.destroy();
        try {
            if (!process.waitFor(patience.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("Parley did not end within " + patience + " of SIGTERM:\n" + logText());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The running server's threads ({@code jcmd PID Thread.print}, given at most 20 s), for a test that gives up
     * waiting on the server: what each thread was doing says why it did not answer.
     */
    String threadDump() {
        if (process == null || !process.isAlive()) {
            return "(no running server)";
        }
        try {
            Path dump = Files.createTempFile("parley-threads", ".txt"); // a file: a pipe of a large dump would block
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "Thread.print").redirectErrorStream(true)
                    .redirectOutput(dump.toFile()).start();
            if (!jcmd.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
            }
            String text = Files.readString(dump);
            Files.deleteIfExists(dump);
            return text;
        } catch (IOException e) {
            return "(no thread dump: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    RunningParley asClientTarget() {
        return RunningParley.remote(port);
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        // generous: a start took over 90 s on a two-core machine shared with other builds (issue 18)
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Parley exited during start-up:\n" + logText());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/docs")).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Parley did not become ready:\n" + logText());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
