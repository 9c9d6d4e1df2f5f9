package io.parley.eventstore.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves the events and snapshots of Axon's JDBC tables ({@code DomainEventEntry}, {@code SnapshotEventEntry}) into
 * the event logs, once, when a data directory written with {@code parley.event-store=jdbc} is first opened with the
 * log: every event keeps its global index as its position, so the tokens the processors and analytics consumers hold
 * stay valid. The tables are left as they were (a copy to go back to). Progress is logged every 100,000 events.
 * <p>
 * A move cut short (a kill) goes on at the next start after the last event the log holds. Once moved, the table's
 * last global index is kept in a file beside the logs ({@code table-moved-up-to}); should the table later hold an
 * event above it (the server ran with {@code parley.event-store=jdbc} again), the start fails, since those events would
 * be lost to every reader of the log; should the log end before it (replaced or lost), the start fails too, since the
 * positions the processors stored would point past its end. A log started beside an empty table counts as moved up to
 * 0. Snapshots are moved while the snapshot log is empty.
 */
final class EventTableMove {

    private static final Logger log = LoggerFactory.getLogger(EventTableMove.class);
    /** The file beside the logs that holds the last global index moved. */
    static final String MARKER = "table-moved-up-to";
    private static final int PAGE = 1_000;
    private static final String COLUMNS = "globalIndex, eventIdentifier, type, aggregateIdentifier, sequenceNumber,"
            + " timeStamp, payloadType, payloadRevision, payload, metaData";

    private EventTableMove() {
    }

    /**
     * Moves what the tables hold into the logs, once; afterwards checks that the table holds nothing the log does not.
     *
     * @param movedUpTo the file that records the table's last global index once moved
     * @return events moved
     * @throws IllegalStateException when the table holds events written after the move
     */
    static long run(DataSource dataSource, EventLog events, EventLog snapshots, Path movedUpTo)
            throws IOException, SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean table = hasTable(connection, "DOMAINEVENTENTRY");
            long tableLast = table ? single(connection, "SELECT COALESCE(MAX(globalIndex), 0) FROM DomainEventEntry")
                    : 0;
            if (Files.exists(movedUpTo)) {
                check(Long.parseLong(Files.readString(movedUpTo).trim()), tableLast, events, movedUpTo);
                return 0;
            }
            // not moved yet, or a move cut short: it goes on after the last event the log holds
            long after = events.lastPosition().orElse(Long.MIN_VALUE);
            long total = table ? count(connection, after) : 0;
            if (total > 0) {
                log.info("Moving {} events from the event table into the event log {}", total, events);
            }
            long moved = 0;
            while (moved < total) {
                List<LoggedEvent> page;
                try (PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS
                        + " FROM DomainEventEntry WHERE globalIndex > ? ORDER BY globalIndex LIMIT " + PAGE)) {
                    statement.setLong(1, after);
                    page = read(statement);
                }
                if (page.isEmpty()) {
                    break;
                }
                events.appendAtTheirPositions(page).join();
                long before = moved;
                moved += page.size();
                after = page.get(page.size() - 1).position();
                if (moved / 100_000 > before / 100_000) {
                    log.info("Moved {} of {} events", moved, total);
                }
            }
            long snapshotsMoved = snapshots.size() == 0 && hasTable(connection, "SNAPSHOTEVENTENTRY")
                    ? moveSnapshots(connection, snapshots) : 0;
            writeAtomically(movedUpTo, tableLast + "\n");
            if (moved + snapshotsMoved > 0) {
                log.info("Moved {} events and {} snapshots into the event log; the tables are left as they were",
                        moved, snapshotsMoved);
            }
            return moved;
        }
    }

    /** After a move: the table holds nothing after it, and the log holds everything moved. */
    private static void check(long moved, long tableLast, EventLog events, Path movedUpTo) {
        if (tableLast > moved) {
            throw new IllegalStateException("the event table (DomainEventEntry) holds events written after its events"
                    + " were moved to the event log (global index " + tableLast + " > " + moved + "): the server ran"
                    + " with parley.event-store=jdbc since. Go on with parley.event-store=jdbc, or move " + events
                    + " and " + movedUpTo + " aside to move the table again.");
        }
        long logLast = events.lastPosition().orElse(0);
        if (logLast < moved) {
            throw new IllegalStateException("the event log " + events + " ends at position " + logLast + ", before"
                    + " the " + moved + " moved into it (" + movedUpTo + "): it was replaced or lost, and the"
                    + " positions stored by the processors would point past it. Restore it from a backup.");
        }
    }

    private static long moveSnapshots(Connection connection, EventLog snapshots) throws SQLException {
        List<LoggedEvent> all;
        try (PreparedStatement statement = connection.prepareStatement("SELECT 0, eventIdentifier, type,"
                + " aggregateIdentifier, sequenceNumber, timeStamp, payloadType, payloadRevision, payload, metaData"
                + " FROM SnapshotEventEntry ORDER BY aggregateIdentifier, sequenceNumber")) {
            all = read(statement); // one per aggregate, Axon replaces the older
        }
        for (LoggedEvent snapshot : all) {
            snapshots.append(List.of(snapshot)).join();
        }
        return all.size();
    }

    /** Writes {@code text} to a file beside, forces it, and moves it over {@code file} in one step. */
    private static void writeAtomically(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The rows of a query of {@link #COLUMNS}, in that order. */
    private static List<LoggedEvent> read(PreparedStatement statement) throws SQLException {
        List<LoggedEvent> page = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String eventIdentifier = rows.getString(2);
                String type = rows.getString(3);
                String aggregateIdentifier = rows.getString(4);
                boolean noAggregate = type == null && eventIdentifier.equals(aggregateIdentifier);
                page.add(new LoggedEvent(rows.getLong(1), eventIdentifier, noAggregate ? null : type,
                        noAggregate ? null : aggregateIdentifier, rows.getLong(5), Instant.parse(rows.getString(6)),
                        rows.getString(7), rows.getString(8), rows.getBytes(9), rows.getBytes(10)));
            }
        }
        return page;
    }

    private static boolean hasTable(Connection connection, String name) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, name, null)) {
            if (tables.next()) {
                return true;
            }
        }
        try (ResultSet tables = connection.getMetaData().getTables(null, null, name.toLowerCase(), null)) {
            return tables.next();
        }
    }

    private static long count(Connection connection, long after) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT COUNT(*) FROM DomainEventEntry WHERE globalIndex > ?")) {
            statement.setLong(1, after);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static long single(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
