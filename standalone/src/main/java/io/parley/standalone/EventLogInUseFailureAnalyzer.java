package io.parley.standalone;

import io.parley.eventstore.log.EventLog;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * A second server on a data directory whose event log another one has open ({@code parley.event-store=log}): the file
 * and what to do, in Spring Boot's "APPLICATION FAILED TO START" block, as {@link DatabaseInUseFailureAnalyzer} does for
 * H2's file.
 */
public class EventLogInUseFailureAnalyzer extends AbstractFailureAnalyzer<EventLog.InUse> {

    private final Environment environment;

    public EventLogInUseFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EventLog.InUse cause) {
        return new FailureAnalysis("Parley cannot open its event log: " + cause.file().toAbsolutePath()
                + " is in use by another process (another Parley on the same data directory).",
                "Stop the other process, or start this one with another data directory (--parley.data-dir=PATH, or the"
                        + " environment variable PARLEY_DATA_DIR; this one is "
                        + environment.getProperty("parley.data-dir", "./data") + ").", cause);
    }
}
