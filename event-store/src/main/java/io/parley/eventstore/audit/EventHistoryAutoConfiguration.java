package io.parley.eventstore.audit;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;

/** Read-only access to the JDBC event table for the audit API, the chain verification and the analytics stream. */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnBean(DataSource.class)
public class EventHistoryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(EventHistory.class) // the event log's (LogEventStoreAutoConfiguration)
    EventHistory parleyEventHistory(DataSource dataSource) {
        return new JdbcEventHistory(dataSource);
    }

    @Bean
    ChainVerifier parleyChainVerifier(EventHistory history) {
        return new ChainVerifier(history);
    }
}
