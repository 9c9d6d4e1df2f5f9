package io.parley.testsupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The extension on the test PostgreSQL (itself: this class is skipped without it, unless required). */
class PostgresSchemaTest {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("support_test");

    @Test
    void aTestWorksInAFreshSchemaOfItsOwnThatIsDroppedAfterIt() throws Exception {
        try (Connection connection = postgres.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE note (text VARCHAR(20))");
            statement.execute("INSERT INTO note VALUES ('here')");
        }
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM note")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).as("the URL names the same schema").isEqualTo(1);
        }

        String schema = postgres.schema();
        postgres.afterEach(null);
        assertThat(schemaExists(schema)).isFalse();
    }

    @Test
    void registeredOnAStaticFieldTheSchemaServesEveryTestOfTheClassAndIsDroppedAfterThem() throws Exception {
        PostgresSchema shared = new PostgresSchema("support_class_test");
        shared.beforeAll(null);
        String schema = shared.schema();
        shared.beforeEach(null);
        shared.afterEach(null);
        shared.beforeEach(null);
        assertThat(shared.schema()).isEqualTo(schema);
        assertThat(schemaExists(schema)).isTrue();
        shared.afterEach(null);
        shared.afterAll(null);
        assertThat(schemaExists(schema)).isFalse();
    }

    @Test
    void anUnreachableServerSkipsOrFailsAsTheEnvironmentSays() {
        PostgresSchema nowhere = new PostgresSchema("nowhere", "jdbc:postgresql://127.0.0.1:1/test");
        assertThatThrownBy(() -> nowhere.beforeEach(null))
                .isInstanceOf(RequiredServices.required() ? AssertionFailedError.class : TestAbortedException.class)
                .hasMessageContaining("PostgreSQL at jdbc:postgresql://127.0.0.1:1/test unreachable");
        assertThatThrownBy(nowhere::dataSource).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void whereThereIsNoPostgresJUnitReportsTheTestsSkippedOrFailedAsTheEnvironmentSays() {
        for (Class<?> sample : List.of(SchemaPerTest.class, SchemaPerClass.class)) {
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(sample)).build(), listener);
            TestExecutionSummary summary = listener.getSummary();
            String what = sample.getSimpleName();
            if (RequiredServices.required()) {
                // a failure in a class-level callback is the container's; each test's own otherwise
                assertThat(summary.getTotalFailureCount()).as(what).isPositive();
                assertThat(summary.getTestsSucceededCount()).as(what).isZero();
            } else {
                assertThat(summary.getTotalFailureCount()).as(what).isZero();
                assertThat(summary.getTestsSucceededCount()).as(what).isZero();
                assertThat(summary.getTestsAbortedCount() + summary.getContainersAbortedCount()).as(what).isPositive();
            }
        }
    }

    /** Run only by the test above (surefire leaves nested classes alone). */
    static class SchemaPerTest {
        @RegisterExtension
        final PostgresSchema postgres = new PostgresSchema("nowhere", "jdbc:postgresql://127.0.0.1:1/test");

        @Test
        void needsPostgres() {
            postgres.dataSource();
        }
    }

    static class SchemaPerClass {
        @RegisterExtension
        static final PostgresSchema postgres = new PostgresSchema("nowhere", "jdbc:postgresql://127.0.0.1:1/test");

        @Test
        void needsPostgres() {
            postgres.dataSource();
        }
    }

    private static boolean schemaExists(String schema) throws SQLException {
        try (Connection connection = DriverManager.getConnection(PostgresSchema.URL, PostgresSchema.USER, "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '" + schema + "'")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }
}
