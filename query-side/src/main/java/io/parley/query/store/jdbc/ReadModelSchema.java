package io.parley.query.store.jdbc;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/**
 * The SQL read model's tables: Flyway migrations in {@code db/migration/readmodel} (one script for H2 2.x and
 * PostgreSQL), with the history table {@code flyway_history_readmodel}, run by the read model itself, so only a process
 * with the embedded read store creates them. Like every module's: a baseline at version 0, then V1 creates what is
 * missing, on a fresh database and on one from before Flyway alike (docs/decisions.md).
 */
final class ReadModelSchema {

    private ReadModelSchema() {
    }

    /** Safe to run at every start and from several processes at once. */
    static void migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/readmodel")
                .failOnMissingLocations(true)
                .table("flyway_history_readmodel")
                .baselineVersion("0")
                .baselineDescription("before Flyway")
                .load();
        // baseline, then migrate: the event store's EventStoreSchema says why
        flyway.baseline();
        flyway.migrate();
    }
}
