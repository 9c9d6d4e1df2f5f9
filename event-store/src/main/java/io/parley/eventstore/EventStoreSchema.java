package io.parley.eventstore;

import org.flywaydb.core.Flyway;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

import javax.sql.DataSource;
import java.sql.DatabaseMetaData;

/**
 * The event store's tables, as Flyway migrations for the database at hand: Axon's events, snapshots and tracking tokens
 * ({@code db/migration/eventstore/{vendor}}, history table {@code flyway_history_eventstore}) and the erasure keys
 * ({@code db/migration/erasure/{vendor}}, {@code flyway_history_erasure}, run by {@code ErasureKeys}). The vendor is
 * Spring Boot's name for the database ({@code h2}, {@code postgresql}); any other database fails at start, as no
 * scripts exist for it.
 * <p>
 * Every part of Parley that owns tables migrates them itself, with a history table of its own, so a process creates
 * only the tables of what it runs; the read model and the edge do the same in their modules. Each history table starts
 * with a baseline at version 0 and V1 creates what is missing, on a fresh database and on one from before Flyway alike
 * (docs/decisions.md, "Schemas are Flyway migrations, one history per module").
 */
public final class EventStoreSchema {

    private EventStoreSchema() {
    }

    /** Events, snapshots and tracking tokens. Safe to run at every start and from several processes at once. */
    public static void migrate(DataSource dataSource) {
        migrate(dataSource, "eventstore");
    }

    /** Runs the migrations of one part of the store ({@code db/migration/<part>/<vendor>}). */
    public static void migrate(DataSource dataSource, String part) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/" + part + "/" + vendor(dataSource))
                .failOnMissingLocations(true)
                .table("flyway_history_" + part)
                .baselineVersion("0")
                .baselineDescription("before Flyway")
                .load();
        // Baseline first, always: the tables of other parts make the schema non-empty, and Flyway refuses to migrate a
        // non-empty schema without history. Baselining under its lock is safe against another process doing the same;
        // migrate() with baselineOnMigrate is not (it fails when another process creates the history table between
        // two of its looks at it, as on a fresh PostgreSQL when the services start together).
        flyway.baseline();
        flyway.migrate();
    }

    private static String vendor(DataSource dataSource) {
        try {
            String product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
            return DatabaseDriver.fromProductName(product).getId();
        } catch (MetaDataAccessException e) {
            throw new IllegalStateException("could not tell which database holds the event store", e);
        }
    }
}
