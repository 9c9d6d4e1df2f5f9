package io.parley.notify;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/**
 * The notification service's tables: Flyway migrations in {@code db/migration/notifications} (one script for H2 2.x
 * and PostgreSQL) with the history table {@code flyway_history_notifications}. Like every module's: a baseline at
 * version 0, then the migrations (docs/decisions.md, "Schemas are Flyway migrations").
 */
public final class NotificationsSchema {

    /** The bean the stores depend on. */
    public static final String BEAN = "parleyNotificationsSchema";

    NotificationsSchema(DataSource dataSource) {
        migrate(dataSource);
    }

    /** Safe at every start and from several processes at once (Flyway's lock). */
    public static void migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/notifications")
                .failOnMissingLocations(true)
                .table("flyway_history_notifications")
                .baselineVersion("0")
                .baselineDescription("before Flyway")
                .load();
        flyway.baseline();
        flyway.migrate();
    }
}
