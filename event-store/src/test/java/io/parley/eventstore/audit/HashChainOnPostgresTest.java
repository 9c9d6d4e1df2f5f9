package io.parley.eventstore.audit;

import io.parley.testsupport.PostgresSchema;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;

/**
 * The hash chain on PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres}, a fresh schema per
 * test; skipped when unreachable unless {@code PARLEY_REQUIRE_SERVICES=true}.
 */
class HashChainOnPostgresTest extends HashChainContract {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("chain_test");

    @Override
    DataSource dataSource() {
        return postgres.dataSource();
    }
}
