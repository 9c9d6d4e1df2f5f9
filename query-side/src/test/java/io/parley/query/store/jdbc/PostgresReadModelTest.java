package io.parley.query.store.jdbc;

import io.parley.testsupport.PostgresSchema;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;

/**
 * The read-model contract on the SQL store against PostgreSQL at 127.0.0.1:5432, database {@code test}, user
 * {@code postgres}: a fresh schema per test, dropped afterwards. Skipped when PostgreSQL is unreachable, unless
 * {@code PARLEY_REQUIRE_SERVICES=true} (CI), which turns the skip into a failure.
 */
class PostgresReadModelTest extends JdbcReadModelContract {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("rm_test");

    @Override
    protected DataSource freshDataSource() {
        return postgres.dataSource();
    }
}
