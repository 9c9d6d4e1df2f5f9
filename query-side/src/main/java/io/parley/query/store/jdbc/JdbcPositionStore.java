package io.parley.query.store.jdbc;

import io.parley.query.store.PositionStore;
import io.parley.query.store.ProjectionPosition;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Positions in {@code rm_positions}, gaps as a comma-separated list. */
final class JdbcPositionStore implements PositionStore {

    private final NamedParameterJdbcTemplate jdbc;

    JdbcPositionStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void save(String processor, ProjectionPosition position) {
        MapSqlParameterSource row = new MapSqlParameterSource("processor", processor)
                .addValue("segment", position.segment())
                .addValue("position", position.index())
                .addValue("gaps", position.gaps().stream().map(String::valueOf).collect(Collectors.joining(",")))
                .addValue("replaying", position.replaying());
        int updated = jdbc.update("UPDATE rm_positions SET token_index = :position, gaps = :gaps, replaying = :replaying"
                + " WHERE processor_name = :processor AND segment = :segment", row);
        if (updated == 0) {
            jdbc.update("INSERT INTO rm_positions (processor_name, segment, token_index, gaps, replaying)"
                    + " VALUES (:processor, :segment, :position, :gaps, :replaying)", row);
        }
    }

    @Override
    public List<ProjectionPosition> of(String processor) {
        return jdbc.query("SELECT segment, token_index, gaps, replaying FROM rm_positions"
                        + " WHERE processor_name = :processor ORDER BY segment",
                new MapSqlParameterSource("processor", processor),
                (rs, n) -> new ProjectionPosition(rs.getInt("segment"), rs.getLong("token_index"),
                        gaps(rs.getString("gaps")), rs.getBoolean("replaying")));
    }

    private static List<Long> gaps(String text) {
        return text == null || text.isEmpty() ? List.of()
                : Arrays.stream(text.split(",")).map(Long::valueOf).toList();
    }
}
