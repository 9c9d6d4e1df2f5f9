package io.parley.notify.processor;

import io.parley.testsupport.PostgresSchema;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;

/** {@link NotificationRulesTest} on PostgreSQL (skipped without one, failed where services are required). */
class NotificationRulesOnPostgresTest extends NotificationRulesTest {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("ntf_test");

    @Override
    DataSource dataSource() {
        return postgres.dataSource();
    }
}
