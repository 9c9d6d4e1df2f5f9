package io.parley.axon;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Axon tuning for every Parley service, in one place ({@code parley.axon.*}).
 *
 * @param snapshotThreshold  events of one conversation between two snapshots, on average (each conversation's own
 *                           count lies between half and one and a half times it, so that conversations of equal
 *                           traffic do not snapshot together); with the aggregate cache this keeps the cost of a
 *                           command flat however long the conversation grows
 * @param cacheSize          aggregates kept in the command side's cache (hot conversations)
 * @param processorBatchSize events a streaming processor handles per transaction; the read-model writes of a batch
 *                           and its token commit together, so a larger batch means fewer commits
 * @param processorSegments  initial segments of each streaming processor (parallelism of projections)
 * @param tokenClaimInterval how often an idle processor looks for unclaimed segments, in milliseconds
 * @param commandBatchSize   the most commands run in one unit of work and transaction ({@link BatchingCommandBus});
 *                           {@code 1} runs each command in its own, as Axon's {@code SimpleCommandBus} does
 * @param commandLanes       threads that run command batches, each for its share of the aggregates; unset: one
 *                           where a batch's commit is durable later ({@link DeferredCommit}, the standalone H2 group
 *                           commit: the lane runs on while the file is written, and one lane makes the largest
 *                           batches), four where each lane waits for its commit (PostgreSQL)
 * @param commandBatchWindow under load, the least time between two batches of a lane (the commands of the window
 *                           share one commit); a lone command never waits
 * @param commandQueueCapacity the most commands waiting on one lane; under a load the command side cannot carry, one
 *                           more is refused at once (UNAVAILABLE, 503, retryable) instead of waiting behind them
 */
@ConfigurationProperties(prefix = "parley.axon")
public record ParleyAxonProperties(@DefaultValue("250") int snapshotThreshold,
                                   @DefaultValue("10000") int cacheSize,
                                   @DefaultValue("100") int processorBatchSize,
                                   @DefaultValue("1") int processorSegments,
                                   @DefaultValue("1000") long tokenClaimInterval,
                                   @DefaultValue("64") int commandBatchSize,
                                   Integer commandLanes,
                                   @DefaultValue("5ms") Duration commandBatchWindow,
                                   @DefaultValue("5000") int commandQueueCapacity) {

    /** Lanes where each waits for its batch's commit to be durable ({@code parley.axon.command-lanes} unset). */
    public static final int WAITING_LANES = 4;

    /** Lanes where a batch's durability comes after its commit returns ({@code parley.axon.command-lanes} unset). */
    public static final int DEFERRING_LANES = 1;
}
