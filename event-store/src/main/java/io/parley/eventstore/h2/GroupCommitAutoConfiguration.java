package io.parley.eventstore.h2;

import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurerModule;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Group commit ({@link GroupCommit}) for an H2 file database ({@code spring.datasource.url} starting with
 * {@code jdbc:h2:file:}, or {@code jdbc:h2:retry:file:}, the same file through H2's file system that survives an
 * interrupted thread), on unless {@code parley.h2.group-commit=false}. With it the URL needs no
 * {@code WRITE_DELAY=0}: commits are durable when they return either way, and without that setting H2 stops writing
 * a chunk per commit. The file is forced to the disk every {@code parley.h2.file-sync-interval} (1 s; {@code 0s}
 * leaves it to the operating system). H2's auto-commit buffer, which sizes the steps of its background maintenance,
 * is {@code parley.h2.auto-commit-buffer-size} (4 MB; {@code 0} keeps H2's own, 19 MB at a 2 GiB heap). Other
 * databases (PostgreSQL, in-memory H2) are left alone.
 * <p>
 * The streaming processors' transactions commit asynchronously ({@link AsynchronousCommitTransactionManager}) unless
 * {@code parley.h2.asynchronous-processor-commits=false}, or their tokens are not in this database
 * ({@code parley.token-store=mongo}).
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.h2.mvstore.MVStore")
@ConditionalOnExpression("'${spring.datasource.url:}'.matches('jdbc:h2:(retry:)?file:.*') and ${parley.h2.group-commit:true}")
public class GroupCommitAutoConfiguration {

    @Bean(destroyMethod = "close")
    static GroupCommit parleyH2GroupCommit(Environment environment) {
        return new GroupCommit(
                environment.getProperty("parley.h2.group-commit-window", Duration.class, Duration.ofMillis(5)),
                environment.getProperty("parley.h2.file-sync-interval", Duration.class, Duration.ofSeconds(1)),
                autoCommitBufferSize(environment));
    }

    /**
     * {@code parley.h2.auto-commit-buffer-size} in bytes: 0 (H2's own) or 1-64 MB. Outside that H2's maintenance would
     * move nothing (a few KB) or its step sizes overflow (from 256 MB), so the server does not start.
     */
    static int autoCommitBufferSize(Environment environment) {
        // parsed here: an Environment outside SpringApplication (a test's context runner) has no DataSize converter
        String raw = environment.getProperty("parley.h2.auto-commit-buffer-size");
        DataSize size = raw == null ? DataSize.ofMegabytes(4) : DataSize.parse(raw.trim());
        long bytes = size.toBytes();
        if (bytes != 0 && (bytes < DataSize.ofMegabytes(1).toBytes() || bytes > DataSize.ofMegabytes(64).toBytes())) {
            throw new IllegalArgumentException("parley.h2.auto-commit-buffer-size must be 0 (H2's own) or between 1MB"
                    + " and 64MB, not " + size);
        }
        return (int) bytes;
    }

    @Bean
    static BeanPostProcessor parleyH2GroupCommitDataSource(ObjectProvider<GroupCommit> groupCommit,
            Environment environment) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof DataSource dataSource && !(bean instanceof GroupCommitDataSource)) {
                    return new GroupCommitDataSource(dataSource, groupCommit.getObject(),
                            CrashLeftovers.databaseFile(environment.getProperty("spring.datasource.url")));
                }
                return bean;
            }
        };
    }

    /**
     * Axon's default transaction manager for event processors, wrapped so that their commits do not wait for the file
     * write: each processor's batch and token are derived from the event store and are handled again if a crash loses
     * them. The processors' batches were half of all commits, and most writes served one or two commits: without
     * them 37-40% fewer writes (docs/benchmark.md, fifth round).
     */
    // Only with the tokens in this database (parley.token-store=jdbc, the default): a token in MongoDB is durable at
    // once, and a lost batch of H2 writes would then be behind its token for good.
    @Bean
    @ConditionalOnExpression("${parley.h2.asynchronous-processor-commits:true} and '${parley.token-store:jdbc}' == 'jdbc'")
    static ConfigurerModule parleyH2AsynchronousProcessorCommits() {
        return configurer -> configurer.eventProcessing(processing -> processing.registerDefaultTransactionManager(
                config -> new AsynchronousCommitTransactionManager(config.getComponent(TransactionManager.class))));
    }
}
