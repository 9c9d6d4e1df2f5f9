package io.parley.query.store.jdbc;

import io.parley.query.store.ReadStores;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import javax.sql.DataSource;

/**
 * The {@code embedded} read store: SQL tables ({@code rm_*}) on the application's DataSource, portable between H2 2.x and
 * PostgreSQL.
 *
 * <p>Every statement goes through a {@code JdbcTemplate} on the injected DataSource, never a connection of its own, so
 * it joins the Spring-managed transaction that is active on the calling thread. Axon's {@code SpringTransactionManager}
 * wraps the {@code DataSourceTransactionManager}, so the read-model writes of a processor batch and the batch's tracking
 * token (JDBC token store, same DataSource) commit in ONE transaction: a crash leaves neither or both.
 *
 * <p>Upserts are "look, then insert" or "update, then insert when nothing matched" instead of catching a duplicate-key
 * error: on PostgreSQL a failed statement aborts the whole transaction, token included. This is race-free because each
 * row is written only by the events of one aggregate, which Axon hands to one thread in order (see the port's package
 * documentation); should two writers ever race, the batch fails, rolls back and is retried.
 */
public final class JdbcReadStores {

    private JdbcReadStores() {
    }

    /** Migrates the tables and indexes ({@link ReadModelSchema}), and creates the stores on top of them. */
    public static ReadStores create(DataSource dataSource) {
        ReadModelSchema.migrate(dataSource);
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(dataSource);
        return new ReadStores(new JdbcTimelineStore(jdbc), new JdbcConversationStore(jdbc), new JdbcInboxStore(jdbc),
                new JdbcUserStore(jdbc), new JdbcPositionStore(jdbc), new JdbcReplyStore(jdbc),
                new JdbcMentionStore(jdbc), new JdbcReactionStore(jdbc), new JdbcBlockStore(jdbc));
    }
}
