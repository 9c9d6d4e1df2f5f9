package io.parley.eventstore.erasure;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The key table on PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres}, in a fresh schema;
 * skipped when unreachable unless {@code PARLEY_REQUIRE_SERVICES=true}.
 */
class ErasureKeysOnPostgresTest {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private String schema;

    @Test
    void keysAreCreatedOncePerUserAndErasedForGood() {
        PGSimpleDataSource ds = freshSchema();
        ErasureKeys keys = new ErasureKeys(ds, Duration.ZERO);
        new ErasureKeys(ds, Duration.ZERO); // the table is created if missing, again without harm
        TextCipher cipher = new TextCipher(keys);
        String first = cipher.encrypt("alice", "c/m1", "one");
        String second = cipher.encrypt("alice", "c/m2", "two");
        assertThat(first.split(":")[2]).isEqualTo(second.split(":")[2]); // same key id
        assertThat(cipher.decrypt("c/m2", second)).contains("two");
        assertThat(keys.erase("alice")).isEqualTo(1);
        assertThat(new TextCipher(new ErasureKeys(ds, Duration.ZERO)).decrypt("c/m1", first)).isEmpty();
    }

    private PGSimpleDataSource freshSchema() {
        try (Connection c = postgres(null).getConnection(); Statement s = c.createStatement()) {
            schema = "keys_test_" + UUID.randomUUID().toString().replace("-", "");
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("PARLEY_REQUIRE_SERVICES"))) {
                fail("PostgreSQL at " + URL + " is required (PARLEY_REQUIRE_SERVICES=true) but unreachable", e);
            }
            schema = null;
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
