package io.parley.axon;

import org.axonframework.messaging.unitofwork.UnitOfWork;

import java.util.concurrent.CompletableFuture;

/**
 * A transaction's commit whose durability is reported apart: {@link #run} returns once the commit is made (visible to
 * other transactions), and its future completes once the commit is durable, or fails with the reason it is not. The
 * command batches ({@link BatchingCommandBus}) start their next batch meanwhile and answer the senders of a batch only
 * when its future completes: an acknowledgement still means durable. The standalone H2 database provides one (its
 * group commit, event-store's {@code GroupCommit.commitDeferred}, wired by the standalone application);
 * {@link #SYNCHRONOUS} is a commit that is durable when it returns, as on PostgreSQL.
 */
@FunctionalInterface
public interface DeferredCommit {

    /** A commit that is durable when it returns: the future is complete. */
    DeferredCommit SYNCHRONOUS = commit -> {
        commit.run();
        return CompletableFuture.completedFuture(null);
    };

    /**
     * Called on a unit of work's thread as it starts, before its commands run, when its commit will be run by
     * {@link #run}: an implementation may register with it more that it defers (the standalone event log's writes).
     * Nothing by default.
     *
     * @param root the batch's root unit of work
     */
    default void begin(UnitOfWork<?> root) {
    }

    /**
     * Runs {@code commit} (the commit of a transaction open on this thread). A commit of nothing (a unit of work that
     * wrote nothing) is durable once what the store already holds committed but not durable is: its command may have
     * answered from it.
     *
     * @return completes once what the commit made is durable; fails with the error that kept it from being so
     */
    CompletableFuture<Void> run(Runnable commit);
}
