package io.parley.eventstore.audit;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The {@link EventHistory} of Axon's JDBC event table ({@code DomainEventEntry}), read-only. */
public class JdbcEventHistory implements EventHistory {

    private static final String COLUMNS = "globalIndex, eventIdentifier, aggregateIdentifier, sequenceNumber, type,"
            + " timeStamp, payloadType, payloadRevision, payload, metaData";

    private final DataSource dataSource;

    public JdbcEventHistory(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public List<StoredEvent> page(String aggregateId, long afterSequence, int limit) {
        return query("SELECT " + COLUMNS + " FROM DomainEventEntry WHERE aggregateIdentifier = ? AND sequenceNumber > ?"
                + " ORDER BY sequenceNumber LIMIT " + limit, aggregateId, afterSequence);
    }

    @Override
    public List<StoredEvent> globalPage(long afterIndex, int limit) {
        return query("SELECT " + COLUMNS + " FROM DomainEventEntry WHERE globalIndex > ? ORDER BY globalIndex LIMIT "
                + limit, null, afterIndex);
    }

    private List<StoredEvent> query(String sql, String aggregateId, long after) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            int i = 1;
            if (aggregateId != null) {
                statement.setString(i++, aggregateId);
            }
            statement.setLong(i, after);
            List<StoredEvent> events = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    events.add(new StoredEvent(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getLong(4),
                            rows.getString(5), rows.getString(6), rows.getString(7), rows.getString(8),
                            rows.getBytes(9), rows.getBytes(10)));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the event table", e);
        }
    }
}
