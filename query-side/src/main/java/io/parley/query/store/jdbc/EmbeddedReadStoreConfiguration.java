package io.parley.query.store.jdbc;

import io.parley.eventstore.erasure.TextSeal;
import io.parley.query.store.ReadStores;
import org.springframework.beans.factory.ObjectProvider;
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
    ReadStores readStores(DataSource dataSource, ObjectProvider<TextSeal> seal) {
        // message text sealed under its sender's erasure key: docs/decisions.md "Erasure that reaches the disk"
        return JdbcReadStores.create(dataSource).sealedWith(seal.getIfAvailable());
    }
}
