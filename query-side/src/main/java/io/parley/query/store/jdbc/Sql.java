package io.parley.query.store.jdbc;

import org.springframework.jdbc.core.SqlParameterValue;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Binding of instants. Both H2 and pgjdbc map {@link OffsetDateTime} to {@code TIMESTAMP WITH TIME ZONE} (pgjdbc has no
 * {@link Instant} mapping), and an explicit SQL type lets PostgreSQL type a null parameter.
 */
final class Sql {

    private Sql() {
    }

    static SqlParameterValue time(Instant instant) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
                instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }
}
