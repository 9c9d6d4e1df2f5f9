package io.parley.query.store.jdbc;

import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * JDBC batches, and binding of instants. Both H2 and pgjdbc map {@link OffsetDateTime} to {@code TIMESTAMP WITH TIME ZONE} (pgjdbc has no
 * {@link Instant} mapping), and an explicit SQL type lets PostgreSQL type a null parameter.
 */
final class Sql {

    private Sql() {
    }

    static SqlParameterValue time(Instant instant) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
                instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    /**
     * Runs the statement once per parameter set: one JDBC batch for several, a plain update for one (a live batch
     * mostly holds one), nothing for none.
     */
    static void batch(NamedParameterJdbcTemplate jdbc, String sql, List<MapSqlParameterSource> parameterSets) {
        if (parameterSets.size() == 1) {
            jdbc.update(sql, parameterSets.get(0));
        } else if (!parameterSets.isEmpty()) {
            jdbc.batchUpdate(sql, parameterSets.toArray(MapSqlParameterSource[]::new));
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }
}
