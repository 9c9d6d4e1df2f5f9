package io.parley.standalone;

import io.parley.testsupport.RequiredServices;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs one of the browser scripts in {@code web-tests/} (Playwright's {@code playwright-core} driving Debian's
 * Chromium, headless) against Parley booted as a user would run it, and fails with the script's output unless it exits
 * 0. Screenshots land in {@code standalone/target/screenshots}.
 * <p>
 * Needs {@code /usr/bin/chromium}, {@code node}, and {@code web-tests/node_modules} ({@code npm ci} in
 * {@code web-tests}); without them the test is skipped, unless {@code PARLEY_REQUIRE_SERVICES=true} (as in
 * {@code .ci/run}, which installs them), where it fails.
 */
final class BrowserScript {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final long TIMEOUT_MINUTES = 3;

    private BrowserScript() {
    }

    /**
     * Boots Parley on {@code dataDir} and runs {@code web-tests/<script>} against it ({@code PARLEY_URL} set).
     *
     * @throws org.opentest4j.TestAbortedException when Chromium, node or playwright-core are missing (a failure
     *                                             instead with {@code PARLEY_REQUIRE_SERVICES=true})
     */
    static void run(String script, Path dataDir) throws Exception {
        run(script, dataDir, new String[0]);
    }

    /** The same, with Parley started with these extra properties ({@code name=value}). */
    static void run(String script, Path dataDir, String... properties) throws Exception {
        // Surefire runs with the module directory as working directory: the repository is its parent.
        Path repository = Path.of("..").toAbsolutePath().normalize();
        Path webTests = repository.resolve("web-tests");
        assertThat(webTests.resolve(script)).as("the browser test script in the repository").isRegularFile();
        assertThat(repository.resolve("standalone").resolve("pom.xml")).as("the repository root").isRegularFile();

        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) {
            missing.add(CHROMIUM + " (apt-get install chromium)");
        }
        Path node = onPath("node");
        if (node == null) {
            missing.add("node on the PATH");
        }
        if (!Files.isDirectory(webTests.resolve("node_modules").resolve("playwright-core"))) {
            missing.add("web-tests/node_modules/playwright-core (cd web-tests && npm ci)");
        }
        if (!missing.isEmpty()) {
            RequiredServices.missing("browser test needs " + String.join(", ", missing), null);
        }

        try (RunningParley parley = RunningParley.start(dataDir, properties)) {
            ProcessBuilder builder = new ProcessBuilder(node.toString(), script)
                    .directory(webTests.toFile())
                    .redirectErrorStream(true);
            builder.environment().put("PARLEY_URL", parley.http());
            builder.environment().put("PARLEY_SCREENSHOTS",
                    Path.of("target", "screenshots").toAbsolutePath().toString());
            builder.environment().put("CHROMIUM", CHROMIUM.toString());
            Process process = builder.start();
            StringBuilder output = new StringBuilder();
            Thread pump = new Thread(() -> pump(process, output), "web-test-output");
            pump.setDaemon(true);
            pump.start();

            boolean finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                pump.join(5_000);
                fail("the browser test did not finish within " + TIMEOUT_MINUTES + " minutes; output:\n" + output);
            }
            pump.join(5_000);
            assertThat(process.exitValue())
                    .as("exit code of web-tests/" + script + "; its output:\n%s", output)
                    .isZero();
        }
    }

    /** Copies the script's output to this test's output as it comes, and keeps it for the failure message. */
    private static void pump(Process process, StringBuilder output) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println(line);
                synchronized (output) {
                    output.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
