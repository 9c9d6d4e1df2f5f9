package io.parley.eventstore.h2;

import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;

/**
 * Axon's transaction manager for the streaming event processors of an H2 file database: their transactions commit
 * asynchronously ({@link GroupCommit#commitAsynchronously}), without waiting for the file write.
 * <p>
 * A processor's batch stores what it derived from events (read models, pending notifications, positions) in the same
 * transaction as its tracking token, so a crash that loses such a commit takes back both (as a rule: {@link GroupCommit}
 * says when not), and the processor handles
 * the same events again after the restart: nothing acknowledged depends on it. Every commit an acknowledgement depends
 * on (commands, the edge's own writes) still returns only once written, and each file write holds everything committed
 * before it, processor commits included.
 */
final class AsynchronousCommitTransactionManager implements TransactionManager {

    private final TransactionManager delegate;

    AsynchronousCommitTransactionManager(TransactionManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public Transaction startTransaction() {
        Transaction transaction = delegate.startTransaction();
        return new Transaction() {
            @Override
            public void commit() {
                GroupCommit.commitAsynchronously(transaction::commit);
            }

            @Override
            public void rollback() {
                transaction.rollback();
            }
        };
    }
}
