package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.eventstore.EventStoreSchema;
import io.parley.eventstore.erasure.ErasureKeys;
import io.parley.media.MediaSchema;
import io.parley.push.EdgeSchema;
import io.parley.query.store.jdbc.JdbcReadStores;
import io.parley.testsupport.PostgresSchema;
import io.parley.testsupport.RequiredServices;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.parley.standalone.MessagingStoryTest.awaitHistory;
import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Parley's tables are Flyway migrations, one history per module (docs/decisions.md), and this is what that must not
 * break.
 * <p>
 * A database from before Flyway: its tables were created by the DDL every module ran by hand at each start until
 * issue 13 (copied below as fixtures, statement for statement), and it holds a user's data. Parley adopts it: each
 * module's Flyway records a baseline and its V1, whose {@code CREATE ... IF NOT EXISTS} finds everything in place, so no
 * column, index or row changes, and users log in, read their history and go on chatting. Shown on an H2 data directory
 * (standalone, {@code ./data}) and on PostgreSQL (the database of distributed mode). The data is written by Parley
 * itself on the old tables; the history tables are then dropped, which leaves what the code before Flyway left: the
 * same tables (from the old DDL) with the same rows (only schema creation changed).
 * <p>
 * Services starting together on a fresh PostgreSQL: each migrates what it runs, and every module's V1 runs once.
 * <p>
 * The PostgreSQL cases skip when 127.0.0.1:5432 (database {@code test}) is unreachable, unless
 * {@code PARLEY_REQUIRE_SERVICES=true}.
 */
class SchemaMigrationTest {

    private static final String PG = PostgresSchema.URL;

    /** What each history holds once migrated: its baseline and every script of its module. */
    private static List<String> applied(String history, boolean postgres) {
        return history.endsWith("_edge") ? List.of("0 BASELINE true", "1 SQL true", "2 SQL true") // V2: sessions
                : history.endsWith("_readmodel") // V2: replies, mentions, reactions, blocks; V3: an inbox index goes
                ? List.of("0 BASELINE true", "1 SQL true", "2 SQL true", "3 SQL true")
                : history.endsWith("_eventstore") && !postgres // V2 (H2): no unique index on eventIdentifier
                ? List.of("0 BASELINE true", "1 SQL true", "2 SQL true")
                : List.of("0 BASELINE true", "1 SQL true");
    }

    private static final List<String> HISTORIES = List.of(
            "flyway_history_eventstore", "flyway_history_erasure", "flyway_history_readmodel", "flyway_history_edge",
            "flyway_history_media");
    /** Tables whose rows only users' actions change (tokens and positions move whenever processors run). */
    private static final List<String> DATA = List.of(
            "DomainEventEntry", "erasure_keys", "rm_users", "rm_conversations", "rm_messages", "credentials");

    private static final int ROUNDS = 8;

    /** What each module's own start runs, by the name of its history table. */
    private static final Map<String, Consumer<DataSource>> MODULES = Map.of(
            "eventstore", EventStoreSchema::migrate,
            "erasure", dataSource -> new ErasureKeys(dataSource, Duration.ZERO),
            "readmodel", JdbcReadStores::create,
            "edge", EdgeSchema::migrate,
            "media", MediaSchema::migrate);

    /** Distributed mode's services by what they migrate: command side, query side, two push nodes. */
    private static final List<List<String>> SERVICES = List.of(
            List.of("eventstore", "erasure"),
            List.of("eventstore", "erasure", "readmodel"),
            List.of("eventstore", "erasure", "readmodel", "edge", "media"),
            List.of("eventstore", "erasure", "readmodel", "edge", "media"));

    @TempDir
    Path dataDir;

    private final List<String> pgSchemas = new ArrayList<>();

    @Test
    void anH2DataDirectoryFromBeforeFlywayIsAdoptedWithItsData() throws SQLException {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dataDir.toAbsolutePath() + "/parley");
        h2.setUser("sa");
        // the events in the table, as before Flyway (where the event log would take them out of it: EventLogModeTest)
        adoptsTheOldSchemaAndKeepsTheData(h2, false, "PUBLIC", "parley.event-store=jdbc");
    }

    @Test
    void aPostgresDatabaseFromBeforeFlywayIsAdoptedWithItsData() throws SQLException {
        requirePostgres();
        String schema = freshPostgresSchema("adopt_");
        adoptsTheOldSchemaAndKeepsTheData(dataSource(schema), true, schema,
                "spring.datasource.url=" + PG + "?currentSchema=" + schema,
                "spring.datasource.username=postgres", "spring.datasource.password=");
    }

    private void adoptsTheOldSchemaAndKeepsTheData(DataSource db, boolean postgres, String schema, String... properties)
            throws SQLException {
        JdbcTemplate jdbc = new JdbcTemplate(db);
        oldDdl(postgres).forEach(jdbc::execute);

        ParleyClient alice;
        ParleyClient bob;
        String conversation;
        try (RunningParley before = RunningParley.start(dataDir, properties)) {
            alice = ParleyClient.signUp(before, "alice");
            bob = ParleyClient.signUp(before, "bob");
            conversation = alice.openDirectWith(bob);
            for (int i = 1; i <= 3; i++) {
                assertThat(alice.call("POST", "/api/conversations/" + conversation + "/messages",
                        json("clientMsgId", "m" + i, "text", "before " + i)).status()).isEqualTo(201);
            }
            awaitHistory(bob, conversation, 3);
        }
        HISTORIES.forEach(history -> jdbc.execute("DROP TABLE \"" + history + "\""));
        // the database as it stands, with data and without any migration history: what adoption must leave alone
        Map<String, String> oldTables = tablesAndIndexes(db, schema);
        Map<String, Long> rows = rowCounts(jdbc);

        try (RunningParley adopted = RunningParley.start(dataDir, properties)) {
            DataSource running = adopted.bean(DataSource.class);
            JdbcTemplate now = new JdbcTemplate(running);
            assertThat(tablesAndIndexes(running, schema)).as("no table, column or index changed").isEqualTo(oldTables);
            assertThat(rowCounts(now)).as("no row lost or added").isEqualTo(rows);
            for (String history : HISTORIES) {
                // (Flyway's H2 history also has a row of type TABLE that marks its creation)
                assertThat(now.query("SELECT \"version\", \"type\", \"success\" FROM \"" + history
                                + "\" WHERE \"type\" <> 'TABLE' ORDER BY \"installed_rank\"",
                        (row, i) -> row.getString(1) + " " + row.getString(2) + " " + row.getBoolean(3)))
                        .as(history).containsExactlyElementsOf(applied(history, postgres));
            }

            ParleyClient aliceAgain = alice.on(adopted);
            aliceAgain.logIn(adopted); // her credentials are still there
            List<JsonNode> history = awaitHistory(aliceAgain, conversation, 3);
            assertThat(history).extracting(m -> m.get("text").asText())
                    .as("the text still decrypts: the erasure keys are still there")
                    .containsExactly("before 1", "before 2", "before 3");
            ParleyClient.Response sent = bob.on(adopted).call("POST", "/api/conversations/" + conversation
                    + "/messages", json("clientMsgId", "after", "text", "after adoption"));
            assertThat(sent.status()).isEqualTo(201);
            assertThat(sent.body().get("seq").asLong()).isEqualTo(4);
            assertThat(awaitHistory(aliceAgain, conversation, 4)).extracting(m -> m.get("text").asText())
                    .containsExactly("before 1", "before 2", "before 3", "after adoption");
        }
    }

    /**
     * A command side (the event store and the erasure keys), a query side (and the read model) and two push nodes (and
     * the edge) start together on a fresh PostgreSQL, each migrating in an order of its own, a few milliseconds apart.
     * Flyway takes an advisory lock per history table; with {@code migrate()} and {@code baselineOnMigrate} alone, a
     * start failed within a few dozen such rounds here ({@code EventStoreSchema} says why).
     */
    @Test
    void servicesStartingTogetherOnAFreshPostgresEachMigrateWhatTheyRunOnce() throws Exception {
        requirePostgres();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        ExecutorService services = Executors.newFixedThreadPool(SERVICES.size());
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String schema = freshPostgresSchema("together_");
                CyclicBarrier together = new CyclicBarrier(SERVICES.size());
                List<Future<?>> starts = new ArrayList<>();
                for (List<String> modules : SERVICES) {
                    List<String> order = new ArrayList<>(modules);
                    Collections.shuffle(order, random);
                    long delay = random.nextInt(40);
                    starts.add(services.submit(() -> {
                        DataSource db = dataSource(schema);
                        together.await();
                        Thread.sleep(delay);
                        order.forEach(module -> MODULES.get(module).accept(db));
                        return null;
                    }));
                }
                for (Future<?> start : starts) {
                    try {
                        start.get(60, TimeUnit.SECONDS);
                    } catch (ExecutionException failed) {
                        fail("round " + round + " (seed " + seed + "): a service failed to start", failed.getCause());
                    }
                }
                JdbcTemplate jdbc = new JdbcTemplate(dataSource(schema));
                for (String module : MODULES.keySet()) {
                    assertThat(jdbc.query("SELECT version, type, success FROM flyway_history_" + module
                                    + " ORDER BY installed_rank",
                            (row, i) -> row.getString(1) + " " + row.getString(2) + " " + row.getBoolean(3)))
                            .as("round %d (seed %d): %s", round, seed, module)
                            .containsExactlyElementsOf(applied("flyway_history_" + module, true));
                }
            }
        } finally {
            services.shutdownNow();
        }
    }

    /**
     * The DDL as it ran before Flyway, statement for statement: EventStoreSchema (event-store), ErasureKeys
     * (event-store), ReadModelSchema (query-side), CredentialStore, RoleGrants, AuditAccessLog and LastSeenStore
     * (realtime-push). Fixtures: never change them.
     */
    private static List<String> oldDdl(boolean postgres) {
        String blob = postgres ? "BYTEA" : "BLOB";
        String identity = postgres ? "BIGSERIAL" : "BIGINT GENERATED BY DEFAULT AS IDENTITY";
        return List.of(
                // EventStoreSchema
                "CREATE TABLE IF NOT EXISTS DomainEventEntry ("
                        + " globalIndex " + identity + " NOT NULL PRIMARY KEY,"
                        + " eventIdentifier VARCHAR(255) NOT NULL UNIQUE,"
                        + " aggregateIdentifier VARCHAR(255) NOT NULL,"
                        + " sequenceNumber BIGINT NOT NULL,"
                        + " type VARCHAR(255),"
                        + " timeStamp VARCHAR(255) NOT NULL,"
                        + " payloadType VARCHAR(255) NOT NULL,"
                        + " payloadRevision VARCHAR(255),"
                        + " payload " + blob + " NOT NULL,"
                        + " metaData " + blob + ","
                        + " UNIQUE (aggregateIdentifier, sequenceNumber))",
                "CREATE TABLE IF NOT EXISTS SnapshotEventEntry ("
                        + " aggregateIdentifier VARCHAR(255) NOT NULL,"
                        + " sequenceNumber BIGINT NOT NULL,"
                        + " type VARCHAR(255) NOT NULL,"
                        + " eventIdentifier VARCHAR(255) NOT NULL UNIQUE,"
                        + " metaData " + blob + ","
                        + " payload " + blob + " NOT NULL,"
                        + " payloadRevision VARCHAR(255),"
                        + " payloadType VARCHAR(255) NOT NULL,"
                        + " timeStamp VARCHAR(255) NOT NULL,"
                        + " PRIMARY KEY (aggregateIdentifier, sequenceNumber))",
                "CREATE TABLE IF NOT EXISTS TokenEntry ("
                        + " processorName VARCHAR(255) NOT NULL,"
                        + " segment INTEGER NOT NULL,"
                        + " token " + blob + ","
                        + " tokenType VARCHAR(255),"
                        + " timestamp VARCHAR(255),"
                        + " owner VARCHAR(255),"
                        + " PRIMARY KEY (processorName, segment))",
                // ErasureKeys
                "CREATE TABLE IF NOT EXISTS erasure_keys ("
                        + " key_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                        + " user_id VARCHAR(64) NOT NULL,"
                        + " key_bytes " + (postgres ? "BYTEA" : "VARBINARY(64)") + ","
                        + " created_at TIMESTAMP NOT NULL,"
                        + " erased_at TIMESTAMP)",
                "CREATE INDEX IF NOT EXISTS erasure_keys_user ON erasure_keys (user_id)",
                // ReadModelSchema
                "CREATE TABLE IF NOT EXISTS rm_messages ("
                        + " conversation_id VARCHAR(255) NOT NULL,"
                        + " seq BIGINT NOT NULL,"
                        + " message_id VARCHAR(255) NOT NULL,"
                        + " sender_id VARCHAR(255) NOT NULL,"
                        + " body VARCHAR,"
                        + " sent_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                        + " edited_at TIMESTAMP WITH TIME ZONE,"
                        + " deleted BOOLEAN NOT NULL,"
                        + " attachments VARCHAR,"
                        + " PRIMARY KEY (conversation_id, seq))",
                "CREATE TABLE IF NOT EXISTS rm_conversations ("
                        + " conversation_id VARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " conversation_type VARCHAR(16) NOT NULL,"
                        + " name VARCHAR,"
                        + " members_version BIGINT NOT NULL,"
                        + " last_seq BIGINT NOT NULL,"
                        + " updated_at TIMESTAMP WITH TIME ZONE NOT NULL)",
                "CREATE TABLE IF NOT EXISTS rm_conversation_members ("
                        + " conversation_id VARCHAR(255) NOT NULL,"
                        + " user_id VARCHAR(255) NOT NULL,"
                        + " member_role VARCHAR(16) NOT NULL,"
                        + " ordinal INTEGER NOT NULL,"
                        + " PRIMARY KEY (conversation_id, user_id))",
                "CREATE TABLE IF NOT EXISTS rm_inbox ("
                        + " user_id VARCHAR(255) NOT NULL,"
                        + " conversation_id VARCHAR(255) NOT NULL,"
                        + " last_seq BIGINT NOT NULL,"
                        + " delivered_seq BIGINT NOT NULL,"
                        + " read_seq BIGINT NOT NULL,"
                        + " unread BIGINT NOT NULL,"
                        + " updated_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                        + " PRIMARY KEY (user_id, conversation_id))",
                "CREATE INDEX IF NOT EXISTS rm_inbox_by_user_updated ON rm_inbox (user_id, updated_at DESC)",
                "CREATE INDEX IF NOT EXISTS rm_inbox_by_conversation ON rm_inbox (conversation_id)",
                "CREATE TABLE IF NOT EXISTS rm_users ("
                        + " user_id VARCHAR(255) NOT NULL PRIMARY KEY,"
                        + " username VARCHAR(255) NOT NULL,"
                        + " display_name VARCHAR,"
                        + " registered_at TIMESTAMP WITH TIME ZONE)",
                "CREATE INDEX IF NOT EXISTS rm_users_by_username ON rm_users (username)",
                "CREATE TABLE IF NOT EXISTS rm_positions ("
                        + " processor_name VARCHAR(255) NOT NULL,"
                        + " segment INTEGER NOT NULL,"
                        + " token_index BIGINT NOT NULL,"
                        + " gaps VARCHAR,"
                        + " replaying BOOLEAN NOT NULL,"
                        + " PRIMARY KEY (processor_name, segment))",
                // CredentialStore
                "CREATE TABLE IF NOT EXISTS credentials ("
                        + " user_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                        + " username VARCHAR(64) NOT NULL UNIQUE,"
                        + " password_hash VARCHAR(255) NOT NULL,"
                        + " created_at TIMESTAMP)",
                // RoleGrants
                "CREATE TABLE IF NOT EXISTS role_grants ("
                        + " user_id VARCHAR(64) NOT NULL,"
                        + " role VARCHAR(16) NOT NULL,"
                        + " PRIMARY KEY (user_id, role))",
                // AuditAccessLog
                "CREATE TABLE IF NOT EXISTS audit_access ("
                        + " id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                        + " auditor_id VARCHAR(64) NOT NULL,"
                        + " action VARCHAR(32) NOT NULL,"
                        + " target VARCHAR(255) NOT NULL,"
                        + " parameters VARCHAR(512),"
                        + " client_address VARCHAR(64),"
                        + " accessed_at TIMESTAMP NOT NULL)",
                // LastSeenStore
                "CREATE TABLE IF NOT EXISTS presence_last_seen ("
                        + " user_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                        + " last_seen TIMESTAMP NOT NULL)");
    }

    /** Every table's columns (type, size, nullability) and indexes, the history tables left out. */
    private static Map<String, String> tablesAndIndexes(DataSource db, String schema) throws SQLException {
        Map<String, String> shape = new TreeMap<>();
        try (Connection c = db.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            TreeSet<String> tables = new TreeSet<>();
            try (ResultSet columns = meta.getColumns(null, schema, "%", "%")) {
                while (columns.next()) {
                    String table = columns.getString("TABLE_NAME");
                    if (!table.toLowerCase(Locale.ROOT).startsWith("flyway_history_")) {
                        tables.add(table);
                        shape.put(table + "." + columns.getString("COLUMN_NAME"), columns.getString("TYPE_NAME")
                                + "(" + columns.getInt("COLUMN_SIZE") + ") nullable=" + columns.getString("IS_NULLABLE")
                                + " auto=" + columns.getString("IS_AUTOINCREMENT")
                                + " default=" + columns.getString("COLUMN_DEF"));
                    }
                }
            }
            for (String table : tables) {
                try (ResultSet indexes = meta.getIndexInfo(null, schema, table, false, false)) {
                    while (indexes.next()) {
                        shape.merge(table + " index " + indexes.getString("INDEX_NAME"),
                                indexes.getString("COLUMN_NAME") + " unique=" + !indexes.getBoolean("NON_UNIQUE"),
                                (a, b) -> a + ", " + b);
                    }
                }
            }
        }
        assertThat(shape).as("the old tables are there").isNotEmpty();
        return shape;
    }

    private static Map<String, Long> rowCounts(JdbcTemplate jdbc) {
        Map<String, Long> counts = new TreeMap<>();
        DATA.forEach(table -> counts.put(table, jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class)));
        assertThat(counts).as("there is data to keep").allSatisfy((table, count) -> assertThat(count).isPositive());
        return counts;
    }

    private String freshPostgresSchema(String prefix) {
        String schema = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        new JdbcTemplate(dataSource(null)).execute("CREATE SCHEMA " + schema);
        pgSchemas.add(schema);
        return schema;
    }

    @AfterEach
    void dropPostgresSchemas() {
        JdbcTemplate admin = new JdbcTemplate(dataSource(null));
        pgSchemas.forEach(schema -> admin.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    private static void requirePostgres() {
        try (Connection ignored = dataSource(null).getConnection()) {
            // reachable
        } catch (SQLException e) {
            RequiredServices.missing("PostgreSQL at " + PG + " unreachable: " + e.getMessage(), e);
        }
    }

    /** The shared PostgreSQL, in {@code schema} (or its default schema when null). */
    private static DataSource dataSource(String schema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(PG);
        ds.setUser(PostgresSchema.USER);
        ds.setConnectTimeout(3);
        if (schema != null) {
            ds.setCurrentSchema(schema);
        }
        return ds;
    }
}
