package io.parley.eventstore;

import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.statements.JdbcEventStorageEngineStatements;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the event stream with gaps: the same rows as Axon's query, without walking the whole table. */
class GapQueryTest {

    private static final EventSchema SCHEMA = new EventSchema();
    private static final int EVENTS = 3_000;

    @Test
    void returnsWhatAxonsQueryReturnsAndReadsOnlyThoseRows() throws SQLException {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:gaps-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        EventStoreSchema.migrate(ds);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO DomainEventEntry (globalIndex, eventIdentifier, aggregateIdentifier, sequenceNumber,"
                    + " type, timeStamp, payloadType, payload)"
                    + " SELECT X, 'e' || X, 'a' || MOD(X, 10), X, 't', '2026-01-01T00:00:00Z', 'p', X'00'"
                    + " FROM SYSTEM_RANGE(1, " + EVENTS + ") WHERE X NOT IN (2_500, 2_990)"); // still in flight
            List<Long> gaps = List.of(2_500L, 2_990L, 2_400L); // 2,400 committed since the token saw it as a gap
            long token = 2_980;

            List<Long> axons = indexes(JdbcEventStorageEngineStatements.readEventDataWithGaps(c, SCHEMA, token, 15,
                    gaps));
            List<Long> ours = indexes(JdbcEventStoreAutoConfiguration.readEventDataWithGaps(c, SCHEMA, token, 15,
                    gaps));
            assertThat(ours).isEqualTo(axons)
                    .containsExactly(2_400L, 2_981L, 2_982L, 2_983L, 2_984L, 2_985L, 2_986L, 2_987L, 2_988L, 2_989L,
                            2_991L, 2_992L, 2_993L, 2_994L, 2_995L);

            assertThat(rowsScanned(c, JdbcEventStorageEngineStatements.readEventDataWithGaps(c, SCHEMA, token, 15,
                    gaps))).as("Axon's query walks the table").isGreaterThanOrEqualTo(EVENTS - 2);
            assertThat(rowsScanned(c, JdbcEventStoreAutoConfiguration.readEventDataWithGaps(c, SCHEMA, token, 15,
                    gaps))).as("ours reads the range and the gaps").isLessThan(40);
        }
    }

    private static List<Long> indexes(PreparedStatement statement) throws SQLException {
        List<Long> result = new ArrayList<>();
        try (statement; ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                result.add(rows.getLong(SCHEMA.globalIndexColumn()));
            }
        }
        return result;
    }

    /** H2's EXPLAIN ANALYZE of the statement's SQL with its parameters inlined: the rows each table access read. */
    private static long rowsScanned(Connection c, PreparedStatement statement) throws SQLException {
        String sql = statement.toString();
        statement.close();
        // H2 prints a prepared statement as "prepN: SQL {1: value, 2: value, ...}"
        String body = sql.substring(sql.indexOf(": ") + 2, sql.lastIndexOf(" {"));
        String[] values = sql.substring(sql.lastIndexOf(" {") + 2, sql.length() - 1).split(", ");
        for (String value : values) {
            body = body.replaceFirst("\\?", Matcher.quoteReplacement(value.substring(value.indexOf(": ") + 2)));
        }
        long scanned = 0;
        try (Statement s = c.createStatement(); ResultSet plan = s.executeQuery("EXPLAIN ANALYZE " + body)) {
            plan.next();
            Matcher counts = Pattern.compile("scanCount: (\\d+)").matcher(plan.getString(1));
            while (counts.find()) {
                scanned += Long.parseLong(counts.group(1));
            }
        }
        return scanned;
    }
}
