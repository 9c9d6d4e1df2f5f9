package io.parley.standalone;

import java.util.Arrays;
import java.util.stream.Stream;

/**
 * {@link CrashRecoveryTest} with the events in the event log ({@code parley.event-store=log}): nothing acknowledged is
 * lost, nothing is stored twice, seqs have no gaps, every message reaches the other member, and the read models kept
 * in H2 beside the log agree with it after each SIGKILL.
 */
class CrashRecoveryOnTheEventLogTest extends CrashRecoveryTest {

    @Override
    protected String[] settings() {
        return Stream.concat(Arrays.stream(super.settings()), Stream.of("parley.event-store=log"))
                .toArray(String[]::new);
    }
}
