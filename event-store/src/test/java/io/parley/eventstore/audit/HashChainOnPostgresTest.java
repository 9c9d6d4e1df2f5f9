package io.parley.eventstore.audit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hash chain on PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres}, a fresh schema per
 * test; skipped when unreachable unless {@code PARLEY_REQUIRE_SERVICES=true}.
 */
class HashChainOnPostgresTest extends HashChainContract {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private String schema;

    @Override
    DataSource dataSource() {
        PGSimpleDataSource admin = postgres(null);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            schema = "chain_test_" + UUID.randomUUID().toString().replace("-", "");
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("PARLEY_REQUIRE_SERVICES"))) {
                fail("PostgreSQL at " + URL + " is required (PARLEY_REQUIRE_SERVICES=true) but unreachable", e);
            }
            Assumptions.assumeTrue(false, "PostgreSQL at " + URL + " unreachable: " + e.getMessage());
        }
        return postgres(schema);
    }

    @AfterEach
    void drop() throws SQLException {
        if (schema != null) {
            try (Connection c = postgres(null).getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static PGSimpleDataSource postgres(String schema) {
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
