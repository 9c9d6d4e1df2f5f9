package io.parley.axon;

import org.axonframework.commandhandling.CommandBus;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Commands run in batches ({@link BatchingCommandBus}) on the process that executes them locally: the bus the gateways
 * and Axon's configuration use wraps Axon's {@code SimpleCommandBus}, which stays the local segment holding the
 * handlers. Ordered after Axon's auto-configuration, whose local bus backs off for any other command bus declared
 * before it. Off where a distributed bus sends the commands elsewhere, and with {@code parley.axon.command-batch-size=1}.
 */
@AutoConfiguration(after = AxonAutoConfiguration.class)
@ConditionalOnExpression("${parley.axon.command-batch-size:64} > 1")
@ConditionalOnMissingBean(type = "org.axonframework.commandhandling.distributed.DistributedCommandBus")
public class CommandBatchingAutoConfiguration {

    @Bean
    @Primary
    BatchingCommandBus batchingCommandBus(@Qualifier("localSegment") CommandBus localSegment,
                                          TransactionManager transactionManager, ParleyAxonProperties properties,
                                          ObjectProvider<DeferredCommit> deferredCommit) {
        DeferredCommit commit = deferredCommit.getIfAvailable(() -> DeferredCommit.SYNCHRONOUS);
        int lanes = properties.commandLanes() != null ? properties.commandLanes()
                : commit == DeferredCommit.SYNCHRONOUS ? ParleyAxonProperties.WAITING_LANES
                : ParleyAxonProperties.DEFERRING_LANES;
        return new BatchingCommandBus(localSegment, transactionManager, lanes, properties.commandBatchSize(),
                properties.commandBatchWindow(), properties.commandQueueCapacity(), commit);
    }
}
