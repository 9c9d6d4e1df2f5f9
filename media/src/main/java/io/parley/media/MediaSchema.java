package io.parley.media;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/**
 * The media tables ({@code media_objects}, {@code media_uses}): Flyway migrations in {@code db/migration/media} (one
 * script for H2 2.x and PostgreSQL) with their own history table {@code flyway_history_media}, run by the process that
 * runs the media service (the edge). Like every module's: a baseline at version 0, then migrate (docs/decisions.md).
 */
public final class MediaSchema {

    private MediaSchema() {
    }

    /** Safe to run at every start and from several nodes at once. */
    public static void migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/media")
                .failOnMissingLocations(true)
                .table("flyway_history_media")
                .baselineVersion("0")
                .baselineDescription("before Flyway")
                .load();
        flyway.baseline();
        flyway.migrate();
    }
}
