package io.parley.query.store.jdbc;

import io.parley.query.ReadModelContract;
import io.parley.query.store.ReadStores;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;

/**
 * The contract on the SQL store. Each fed batch runs in one Spring transaction on the DataSource, as Axon's
 * {@code SpringTransactionManager} runs a processor batch: on PostgreSQL any failing statement would abort it.
 */
public abstract class JdbcReadModelContract extends ReadModelContract {

    private TransactionTemplate transactions;

    /** A DataSource on a fresh, empty database or schema. */
    protected abstract DataSource freshDataSource() throws Exception;

    @Override
    protected ReadStores freshStores() throws Exception {
        DataSource dataSource = freshDataSource();
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        ReadStores stores = JdbcReadStores.create(dataSource);
        JdbcReadStores.create(dataSource); // creating the schema again at the next start is harmless
        return stores;
    }

    @Override
    protected void inBatch(Runnable batch) {
        transactions.executeWithoutResult(status -> batch.run());
    }
}
