package io.parley.push.auth;

import io.parley.testsupport.PostgresSchema;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;

/**
 * The credential store on PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres}: a fresh schema
 * per test, dropped afterwards. Skipped when PostgreSQL is unreachable, unless {@code PARLEY_REQUIRE_SERVICES=true}
 * (CI), which turns the skip into a failure.
 */
class CredentialStorePostgresTest extends CredentialStoreContract {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("credentials_test");

    @Override
    protected DataSource freshDataSource() {
        return postgres.dataSource();
    }
}
