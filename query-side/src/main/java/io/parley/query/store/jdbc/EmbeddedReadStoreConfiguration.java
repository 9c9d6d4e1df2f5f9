package io.parley.query.store.jdbc;

import io.parley.query.store.ReadStores;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

/**
 * {@code parley.read-store=embedded} (the default): read models in SQL tables on the application's DataSource, so a
 * projection's writes and its tracking token commit in one transaction (see {@link JdbcReadStores}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "parley.read-store", havingValue = "embedded", matchIfMissing = true)
public class EmbeddedReadStoreConfiguration {

    @Bean
    ReadStores readStores(DataSource dataSource) {
        return JdbcReadStores.create(dataSource);
    }
}
