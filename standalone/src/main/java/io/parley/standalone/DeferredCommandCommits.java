package io.parley.standalone;

import io.parley.axon.DeferredCommit;
import io.parley.eventstore.h2.GroupCommit;
import io.parley.eventstore.log.EventLog;
import io.parley.eventstore.log.LogEventStorageEngine;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The command batches' commits ({@code BatchingCommandBus}, axon-config) on the standalone H2 group commit
 * ({@link GroupCommit}, event-store): a batch's commit returns once made and its senders are answered when the group
 * commit's next write holds it, so that a lane runs its next batch while the file is written; with it one command lane
 * is the default. Wired here, where both modules meet, since neither may know the other (ModuleBoundariesTest).
 * With the events in the event log, the log's writes of a batch are deferred the same way ({@link WithTheEventLog}).
 * {@code parley.h2.deferred-command-commits=false} makes each batch wait for its writes; without the group commit (it
 * turned off, or another database) every H2 commit is durable when it returns ({@link DeferredCommit#SYNCHRONOUS}).
 */
@Configuration(proxyBeanMethods = false)
class DeferredCommandCommits {

    // Optional<GroupCommit>, not a provider: the dependency is recorded, so the command bus that uses this closes
    // before the group commit (its last batches' writes are still under way then)
    @Bean
    @ConditionalOnProperty(name = "parley.h2.deferred-command-commits", havingValue = "true", matchIfMissing = true)
    DeferredCommit parleyH2DeferredCommandCommits(Optional<GroupCommit> groupCommit,
                                                  @Qualifier("parleyEventLog") Optional<EventLog> eventLog) {
        DeferredCommit h2 = groupCommit.<DeferredCommit>map(commit -> commit::commitDeferred)
                .orElse(DeferredCommit.SYNCHRONOUS);
        return eventLog.<DeferredCommit>map(events -> new WithTheEventLog(h2, events)).orElse(h2);
    }

    /**
     * With the events in the event log: a batch's appends do not wait for their write either
     * ({@link LogEventStorageEngine#DEFERRED_WRITES}); the batch is durable once its H2 commit and its log writes are.
     * The lane runs its next batch while the log forces the last one to the disk. A batch that appended nothing (a
     * send repeated with its clientMsgId, answered from what the aggregate read) is durable once every event the log
     * accepted before it is ({@link EventLog#written()}): what it answers with may be one of them, and if their write
     * failed it is answered with that error, not acknowledged.
     */
    record WithTheEventLog(DeferredCommit h2, EventLog events) implements DeferredCommit {

        @Override
        public void begin(UnitOfWork<?> root) {
            root.resources().put(LogEventStorageEngine.DEFERRED_WRITES, new ArrayList<CompletableFuture<Void>>(1));
        }

        @Override
        public CompletableFuture<Void> run(Runnable commit) {
            List<CompletableFuture<Void>> writes = CurrentUnitOfWork.isStarted()
                    ? CurrentUnitOfWork.get().root().getResource(LogEventStorageEngine.DEFERRED_WRITES) : null;
            CompletableFuture<Void> committed = h2.run(commit);
            if (writes == null || writes.isEmpty()) {
                return CompletableFuture.allOf(committed, events.written());
            }
            List<CompletableFuture<Void>> all = new ArrayList<>(writes);
            all.add(committed);
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        }
    }
}
