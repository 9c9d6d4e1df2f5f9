package io.parley.eventstore.log;

import io.parley.eventstore.EventStoreDefaults;
import org.springframework.core.env.Environment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A start with the events in Axon's table ({@code parley.event-store=jdbc}) on a data directory whose events are in
 * the event log: the table lacks every event written since they were moved, so running on it would lose them from
 * every history, and write new events under positions and sequence numbers the log already holds. There is no move
 * back from the log to the table; the log's own start goes on with {@code parley.event-store=log} (or unset, on H2's
 * file).
 */
public final class EventsInTheLog extends IllegalStateException {

    private final transient Path log;

    private EventsInTheLog(Path log) {
        super("the events of this data directory are in the event log " + log + ", not in the table that"
                + " parley.event-store=jdbc reads");
        this.log = log;
    }

    /** The log that holds the events. */
    public Path log() {
        return log;
    }

    /**
     * On an H2 database on a disk (the standalone mode's, however its URL is spelled), refuses the table when
     * {@code parley.event-log.dir} (default {@code ${parley.data-dir}/events}) has an event log with events in it or
     * the mark of a move into one.
     *
     * @throws EventsInTheLog when it has
     */
    public static void refuseTheTable(Environment environment) throws IOException {
        if (!EventStoreDefaults.isH2OnADisk(environment.getProperty("spring.datasource.url"))) {
            return; // not the standalone mode's database: parley.data-dir is not this database's directory
        }
        Path directory = LogEventStoreAutoConfiguration.directory(environment);
        Path events = directory.resolve("events.log");
        boolean written = Files.isRegularFile(events) && Files.size(events) > 8; // more than its magic number
        if (written || Files.exists(directory.resolve(EventTableMove.MARKER))) {
            throw new EventsInTheLog(events);
        }
    }
}
