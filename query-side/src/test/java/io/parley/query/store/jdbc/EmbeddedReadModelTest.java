package io.parley.query.store.jdbc;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.UUID;

/** The read-model contract on the {@code embedded} store: H2, a fresh in-memory database per test. */
class EmbeddedReadModelTest extends JdbcReadModelContract {

    private JdbcDataSource dataSource;

    @Override
    protected DataSource freshDataSource() {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:rm-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        dataSource.setUser("sa");
        return dataSource;
    }

    @AfterEach
    void dropDatabase() {
        new JdbcTemplate(dataSource).execute("SHUTDOWN");
    }
}
