package io.parley.standalone;

import java.util.Arrays;
import java.util.stream.Stream;

/**
 * {@link CrashRecoveryTest} with the events in H2's table ({@code parley.event-store=jdbc}; the test itself runs on the
 * event log, the default): nothing acknowledged is lost, nothing is stored twice, seqs have no gaps, every message
 * reaches the other member, and the read models agree with the events after each SIGKILL.
 */
class CrashRecoveryOnTheEventTableTest extends CrashRecoveryTest {

    @Override
    protected String[] settings() {
        return Stream.concat(Arrays.stream(super.settings()), Stream.of("parley.event-store=jdbc"))
                .toArray(String[]::new);
    }
}
