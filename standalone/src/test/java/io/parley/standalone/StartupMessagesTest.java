package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an operator reads when Parley starts: a bad setting is named with its value and what it accepts, in a few
 * lines and without a stack trace; a good start ends with one line saying where Parley listens and where the web
 * client is.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupMessagesTest {

    @TempDir
    Path dir;

    @Test
    void anUnknownReadStoreIsNamedWithTheValuesItAccepts(CapturedOutput output) {
        String printed = failedStart(output, "--parley.read-store=bogus");
        assertThat(printed).contains("APPLICATION FAILED TO START")
                .contains("parley.read-store=bogus: not a value it accepts")
                .contains("Set parley.read-store to one of embedded, mongo")
                .contains("PARLEY_READ_STORE")
                .doesNotContain("required a bean of type");
    }

    /** A second Parley on a data directory another one has open: the file and what to do, not a stack trace. */
    @Test
    void aDataDirAnotherParleyHasOpenIsNamedWithWhatToDo(CapturedOutput output) {
        assertSecondServerRefused(output, "jdbc", "Parley cannot open its database: ", "parley.mv.db");
    }

    @Test
    void anUnknownPresenceModeIsNamedWithTheValuesItAccepts(CapturedOutput output) {
        String printed = failedStart(output, "--parley.presence=cluster");
        assertThat(printed).contains("parley.presence=cluster: not a value it accepts")
                .contains("Set parley.presence to one of local, redis");
    }

    /** The same with the events in the event log, which its first server holds locked. */
    @Test
    void aDataDirWhoseEventLogAnotherParleyHasOpenIsNamedWithWhatToDo(CapturedOutput output) {
        assertSecondServerRefused(output, "log", "Parley cannot open its event log: ", "events/events.log");
    }

    /** Starts a server with the event store given, then a second one on its data directory, which names the file. */
    private void assertSecondServerRefused(CapturedOutput output, String eventStore, String what, String file) {
        Path data = dir.resolve("shared-" + eventStore);
        try (ParleyProcess first = new ParleyProcess(data, "parley.event-store=" + eventStore).start()) {
            String printed = failedStart(output, "--parley.data-dir=" + data, "--parley.event-store=" + eventStore);
            assertThat(printed).contains("APPLICATION FAILED TO START")
                    .contains(what + data.resolve(file).toAbsolutePath() + " is in use by another process")
                    .contains("Stop the other process, or start this one with another data directory");
        }
    }

    /**
     * The event log is the default on the standalone mode's H2 file; once events are in it, a start that asks for the
     * table is refused: the table lacks them.
     */
    @Test
    void aDataDirWhoseEventsAreInTheLogIsNotStartedOnTheTable(CapturedOutput output) {
        Path data = dir.resolve("logged");
        try (ParleyProcess parley = new ParleyProcess(data).start()) { // its own process: its output is not this one's
            assertThat(ParleyClient.signUp(parley.asClientTarget(), "alice").userId).isNotBlank();
        }
        assertThat(data.resolve("events/events.log")).as("the default").isNotEmptyFile();
        String printed = failedStart(output, "--parley.data-dir=" + data, "--parley.event-store=jdbc");
        assertThat(printed).contains("APPLICATION FAILED TO START")
                .contains("this data directory's events are in the event log "
                        + data.resolve("events/events.log").toAbsolutePath())
                .contains("There is no move back from the log to the table.");
    }

    @Test
    void theEventLogWithADatabaseThatIsNotH2IsRefusedWithoutPrintingTheUrl(CapturedOutput output) {
        String printed = failedStart(output, "--parley.event-store=log",
                "--spring.datasource.url=jdbc:postgresql://localhost/test?password=hunter22");
        assertThat(printed).contains("parley.event-store=log: the event log is for the standalone mode")
                .contains("Set parley.event-store to jdbc").doesNotContain("hunter22");
    }

    @Test
    void aDataDirThatIsAFileIsExplainedInAFewLines(CapturedOutput output) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        String printed = failedStart(output, "--parley.data-dir=" + file);
        assertThat(printed).contains("parley.data-dir=" + file + ": it is a file, not a directory")
                .contains("Set parley.data-dir to a directory this process can create and write to");
    }

    @Test
    void aDataDirThatCannotBeCreatedIsExplainedInAFewLines(CapturedOutput output) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path inside = file.resolve("data");
        String printed = failedStart(output, "--parley.data-dir=" + inside);
        assertThat(printed).contains("parley.data-dir=" + inside + ": ")
                .contains("does not exist and this process")
                .contains("cannot create it");
    }

    @Test
    void aDataDirUnderProcIsNamedAsAKernelFileSystemInAFewLines(CapturedOutput output) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "a Linux /proc");
        String printed = failedStart(output, "--parley.data-dir=/proc/foo");
        assertThat(printed).contains("parley.data-dir=/proc/foo: /proc is on the kernel's 'proc' file system,"
                        + " which holds process and device information, not files")
                .contains("Set parley.data-dir to a directory this process can create and write to");
    }

    @Test
    void aRateLimitOfZeroOrLessIsRefusedWithTheValuesItAccepts(CapturedOutput output) {
        String printed = failedStart(output, "--parley.limits.sends-per-second=0");
        assertThat(printed).contains("parley.limits.sends-per-second=0: it must be at least 1")
                .contains("Set parley.limits.sends-per-second to a whole number from 1 to 2147483647")
                .contains("PARLEY_LIMITS_SENDS_PER_SECOND");
    }

    @Test
    void noCommandLanesIsRefusedWithTheValuesItAccepts(CapturedOutput output) {
        String printed = failedStart(output, "--parley.axon.command-lanes=0");
        assertThat(printed).contains("parley.axon.command-lanes=0: it must be at least 1")
                .contains("Set parley.axon.command-lanes to a whole number from 1 to 2147483647");
    }

    @Test
    void aNegativeLimitIsRefusedToo(CapturedOutput output) {
        assertThat(failedStart(output, "--parley.limits.connections-per-user=-1"))
                .contains("parley.limits.connections-per-user=-1: a negative number");
    }

    @Test
    void aLimitThatIsNotANumberIsRefusedByName(CapturedOutput output) {
        assertThat(failedStart(output, "--parley.notifications.max-attempts=five"))
                .contains("parley.notifications.max-attempts=five: not a whole number")
                .contains("Set parley.notifications.max-attempts to a whole number from 1 to 2147483647");
    }

    @Test
    void aLimitGivenTwiceOnTheCommandLineIsRefusedWithWhatTheCommasMayMean(CapturedOutput output) {
        assertThat(failedStart(output, "--parley.limits.sends-per-second=100", "--parley.limits.sends-per-second=200"))
                .contains("parley.limits.sends-per-second=100,200: numbers and commas: write one number, without"
                        + " thousands separators (a setting given twice on the command line arrives joined")
                .contains("Set parley.limits.sends-per-second to a whole number from 1 to 2147483647");
    }

    @Test
    void aLimitTooLargeIsNamedAsSuch(CapturedOutput output) {
        assertThat(failedStart(output, "--parley.limits.sends-per-second=2147483648"))
                .contains("parley.limits.sends-per-second=2147483648: a number outside the range of whole numbers it"
                        + " can hold");
    }

    @Test
    void anEmptyLimitIsNamedAsSuch(CapturedOutput output) {
        assertThat(failedStart(output, "--parley.limits.sends-burst=")).contains("parley.limits.sends-burst=: empty");
    }

    @Test
    void theExampleInternalSecretIsRefusedWithoutPrintingIt(CapturedOutput output) {
        String printed = failedStart(output, "--parley.internal.secret=change-me");
        assertThat(printed).contains("parley.internal.secret=(hidden): it is an example value from the documentation")
                .contains("Set parley.internal.secret to a random secret of at least 16 characters")
                .doesNotContain("change-me");
    }

    @Test
    void aGoodStartEndsWithWhereParleyListensAndTheWebClientsAddress(CapturedOutput output) {
        try (RunningParley parley = RunningParley.start(dir.resolve("data"))) {
            String expected = "Parley is ready: web client at http://localhost:" + parley.port + "/ ; HTTP API http://localhost:"
                    + parley.port + "/api, WebSocket ws://localhost:" + parley.port + "/ws (listening on all interfaces, port "
                    + parley.port + ")";
            assertThat(output.getOut()).contains(expected);
            assertThat(output.getOut().lines().filter(line -> line.contains("Parley is ready")).count()).isEqualTo(1);
        }
    }

    /** Starts the standalone application with {@code args}, expects it to fail, and answers what it printed. */
    private String failedStart(CapturedOutput output, String... args) {
        java.util.List<String> list = new java.util.ArrayList<>(java.util.List.of("--server.port=0"));
        if (java.util.Arrays.stream(args).noneMatch(arg -> arg.startsWith("--parley.data-dir="))) {
            list.add("--parley.data-dir=" + dir.resolve("data"));
        }
        list.addAll(java.util.List.of(args));
        String[] all = list.toArray(String[]::new);
        assertThatThrownBy(() -> SpringApplication.run(ParleyApplication.class, all)).isNotNull();
        String printed = output.getAll();
        assertThat(printed.lines().filter(line -> line.trim().startsWith("at ")).count())
                .as("no stack trace:%n%s", printed).isZero();
        assertThat(printed.lines().count()).as("a few lines:%n%s", printed).isLessThan(40);
        return printed;
    }
}
