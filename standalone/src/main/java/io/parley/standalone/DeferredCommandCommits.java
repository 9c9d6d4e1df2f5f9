package io.parley.standalone;

import io.parley.axon.DeferredCommit;
import io.parley.eventstore.h2.GroupCommit;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Optional;

/**
 * The command batches' commits ({@code BatchingCommandBus}, axon-config) on the standalone H2 group commit
 * ({@link GroupCommit}, event-store): a batch's commit returns once made and its senders are answered when the group
 * commit's next write holds it, so that a lane runs its next batch while the file is written; with it one command lane
 * is the default. Wired here, where both modules meet, since neither may know the other (ModuleBoundariesTest).
 * {@code parley.h2.deferred-command-commits=false} makes each batch wait for its write; without the group commit (it
 * turned off, or another database) every commit is durable when it returns ({@link DeferredCommit#SYNCHRONOUS}).
 */
@Configuration(proxyBeanMethods = false)
class DeferredCommandCommits {

    // Optional<GroupCommit>, not a provider: the dependency is recorded, so the command bus that uses this closes
    // before the group commit (its last batches' writes are still under way then)
    @Bean
    @ConditionalOnProperty(name = "parley.h2.deferred-command-commits", havingValue = "true", matchIfMissing = true)
    DeferredCommit parleyH2DeferredCommandCommits(Optional<GroupCommit> groupCommit) {
        return groupCommit.<DeferredCommit>map(commit -> commit::commitDeferred).orElse(DeferredCommit.SYNCHRONOUS);
    }
}
