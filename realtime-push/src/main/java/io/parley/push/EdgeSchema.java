package io.parley.push;

import org.flywaydb.core.Flyway;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;

/**
 * The edge's own tables (credentials, role grants, the audit access log, last seen): Flyway migrations in
 * {@code db/migration/edge} (one script for H2 2.x and PostgreSQL), with the history table {@code flyway_history_edge},
 * so only a process that runs the edge creates them. Migrated once at start; the stores on these tables depend on this
 * bean ({@link #BEAN}), so none touches a table before it exists. Like every module's: a baseline at version 0, then
 * V1 creates what is missing, on a fresh database and on one from before Flyway alike (docs/decisions.md).
 */
@Component(EdgeSchema.BEAN)
public final class EdgeSchema {

    /** The bean the edge's stores name in {@code @DependsOn}. */
    public static final String BEAN = "parleyEdgeSchema";

    EdgeSchema(DataSource dataSource) {
        migrate(dataSource);
    }

    /** Safe to run at every start and from several push nodes at once. */
    public static void migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/edge")
                .failOnMissingLocations(true)
                .table("flyway_history_edge")
                .baselineVersion("0")
                .baselineDescription("before Flyway")
                .load();
        // baseline, then migrate: the event store's EventStoreSchema says why
        flyway.baseline();
        flyway.migrate();
    }
}
