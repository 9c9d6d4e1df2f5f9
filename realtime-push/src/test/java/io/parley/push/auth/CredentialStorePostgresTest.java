package io.parley.push.auth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The credential store on PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres}: a fresh schema
 * per test, dropped afterwards. Skipped when PostgreSQL is unreachable, unless {@code PARLEY_REQUIRE_SERVICES=true}
 * (CI), which turns the skip into a failure.
 */
class CredentialStorePostgresTest extends CredentialStoreContract {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

    private String schema;

    @Override
    protected DataSource freshDataSource() {
        PGSimpleDataSource admin = dataSource(null);
        try (Connection ignored = admin.getConnection()) {
            // reachable
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("PARLEY_REQUIRE_SERVICES"))) {
                fail("PostgreSQL at " + URL + " is required (PARLEY_REQUIRE_SERVICES=true) but unreachable", e);
            }
            Assumptions.assumeTrue(false, "PostgreSQL at " + URL + " unreachable: " + e.getMessage());
        }
        schema = "credentials_test_" + UUID.randomUUID().toString().replace("-", "");
        new JdbcTemplate(admin).execute("CREATE SCHEMA " + schema);
        return dataSource(schema);
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            new JdbcTemplate(dataSource(null)).execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static PGSimpleDataSource dataSource(String schema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(URL);
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        if (schema != null) {
            ds.setCurrentSchema(schema);
        }
        return ds;
    }
}
