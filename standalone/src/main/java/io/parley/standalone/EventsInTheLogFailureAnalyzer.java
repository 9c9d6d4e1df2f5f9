package io.parley.standalone;

import io.parley.eventstore.log.EventsInTheLog;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A start with {@code parley.event-store=jdbc} on a data directory whose events are in the event log: why not, and
 * what to do, in Spring Boot's "APPLICATION FAILED TO START" block.
 */
public class EventsInTheLogFailureAnalyzer extends AbstractFailureAnalyzer<EventsInTheLog> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EventsInTheLog cause) {
        return new FailureAnalysis("Parley cannot keep its events in the database's table (parley.event-store=jdbc):"
                + " this data directory's events are in the event log " + cause.log().toAbsolutePath().normalize()
                + ", and the table lacks every event written since they were moved there.",
                "Start without parley.event-store (the event log is the default on the standalone mode's H2 file) or"
                        + " with parley.event-store=log. There is no move back from the log to the table.", cause);
    }
}
