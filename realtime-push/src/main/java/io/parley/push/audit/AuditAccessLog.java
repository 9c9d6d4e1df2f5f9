package io.parley.push.audit;

import io.parley.push.EdgeSchema;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * Who looked at what, when: one row per audit call, in the edge's own table {@code audit_access} (not the event
 * store — see docs/decisions.md; migrated by {@link EdgeSchema}). Blocking JDBC: call it from worker threads only.
 */
@Component
@DependsOn(EdgeSchema.BEAN)
public class AuditAccessLog {

    private final JdbcTemplate jdbc;

    AuditAccessLog(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    void record(String auditorId, String action, String target, String parameters, String clientAddress) {
        jdbc.update("INSERT INTO audit_access (auditor_id, action, target, parameters, client_address, accessed_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)", auditorId, action, target, parameters, clientAddress,
                Timestamp.from(Instant.now()));
    }

    /** One audit call. */
    public record Access(String auditorId, String action, String target, String parameters, String clientAddress,
                         Instant accessedAt) {
    }

    /** The latest accesses, newest first. */
    List<Access> latest(int limit) {
        return jdbc.query("SELECT auditor_id, action, target, parameters, client_address, accessed_at"
                        + " FROM audit_access ORDER BY id DESC LIMIT " + Math.max(1, Math.min(limit, 1000)),
                (row, i) -> new Access(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getString(5), row.getTimestamp(6).toInstant()));
    }
}
