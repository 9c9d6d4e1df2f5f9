package io.parley.eventstore;

import io.parley.eventstore.erasure.ErasureKeys;
import io.parley.testsupport.PostgresSchema;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schema creation is safe when processes start together on a fresh PostgreSQL schema (the report: "could not create
 * the erasure_keys table", a duplicate key in {@code pg_type}): the event store's and the erasure keys' migrations,
 * each started twice at the same moment, all succeed, and every table exists once.
 */
class SchemaConcurrencyTest {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("schema_race");

    @RepeatedTest(4)
    void twoStartsAtOnceOnAFreshSchemaBothCreateTheTablesWithoutError() throws Exception {
        DataSource ds = postgres.dataSource();
        int starts = 4;
        CyclicBarrier together = new CyclicBarrier(starts);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(starts);
        for (int i = 0; i < starts; i++) {
            boolean keys = i % 2 == 1;
            running.add(CompletableFuture.runAsync(() -> {
                try {
                    together.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                if (keys) {
                    new ErasureKeys(ds, Duration.ZERO); // what a service's erasure set-up does at start
                } else {
                    EventStoreSchema.migrate(ds);
                }
            }, threads));
        }
        try {
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        try (Connection c = ds.getConnection();
             ResultSet tables = c.getMetaData().getTables(null, postgres.schema(), "%", new String[]{"TABLE"})) {
            List<String> names = new ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString("TABLE_NAME").toLowerCase());
            }
            assertThat(names).contains("domainevententry", "snapshotevententry", "tokenentry", "erasure_keys",
                    "flyway_history_eventstore", "flyway_history_erasure").doesNotHaveDuplicates();
        }
    }
}
