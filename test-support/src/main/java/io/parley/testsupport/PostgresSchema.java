package io.parley.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A throwaway schema on the test PostgreSQL (127.0.0.1:5432, database {@code test}, user {@code postgres}, no
 * password): created fresh, handed out as a {@link DataSource} or a JDBC URL, dropped with everything in it after.
 * When PostgreSQL is unreachable the tests are skipped, or failed where {@code PARLEY_REQUIRE_SERVICES=true}
 * ({@link RequiredServices}).
 * <p>
 * Registered on an instance field it gives each test a schema of its own; on a static field, one schema for the
 * whole class, dropped after the class's {@code @AfterAll} methods (which may still stop processes using it):
 * <pre>{@code
 * @RegisterExtension
 * final PostgresSchema postgres = new PostgresSchema("rm_test");
 *
 * DataSource dataSource() { return postgres.dataSource(); }
 * }</pre>
 */
public final class PostgresSchema implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {

    public static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String USER = "postgres";

    private final String prefix;
    private final String url;
    private boolean wholeClass;
    private String schema;

    /** @param prefix the start of the schema's name (a random part follows), to tell whose a left-over one is */
    public PostgresSchema(String prefix) {
        this(prefix, URL);
    }

    PostgresSchema(String prefix, String url) {
        if (!prefix.matches("[a-z][a-z0-9_]{0,20}")) {
            throw new IllegalArgumentException("a schema prefix is a short lower-case SQL name: " + prefix);
        }
        this.prefix = prefix;
        this.url = url;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        wholeClass = true;
        create();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        if (!wholeClass) {
            create();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        if (!wholeClass) {
            drop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        drop();
    }

    /** A DataSource whose connections work in the schema (it is their current schema). */
    public DataSource dataSource() {
        return dataSource(schema());
    }

    /** The JDBC URL of the schema, for a process configured by properties ({@code spring.datasource.url}). */
    public String jdbcUrl() {
        return url + "?currentSchema=" + schema();
    }

    /** The user of {@link #jdbcUrl()}; it has no password. */
    public String user() {
        return USER;
    }

    public String schema() {
        if (schema == null) {
            throw new IllegalStateException("no schema: PostgresSchema is a JUnit extension; register it with "
                    + "@RegisterExtension (static for one schema per class) and use it inside the tests");
        }
        return schema;
    }

    private void create() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "");
            statement.execute("CREATE SCHEMA " + name);
            schema = name;
        }
    }

    private Connection connect() {
        try {
            return dataSource(null).getConnection();
        } catch (SQLException e) {
            return RequiredServices.missing("PostgreSQL at " + url + " unreachable: " + e.getMessage(), e);
        }
    }

    private void drop() throws SQLException {
        if (schema == null) {
            return;
        }
        try (Connection connection = dataSource(null).getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA " + schema + " CASCADE");
        } finally {
            schema = null;
        }
    }

    private PGSimpleDataSource dataSource(String currentSchema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser(USER);
        ds.setConnectTimeout(3);
        if (currentSchema != null) {
            ds.setCurrentSchema(currentSchema);
        }
        return ds;
    }
}
