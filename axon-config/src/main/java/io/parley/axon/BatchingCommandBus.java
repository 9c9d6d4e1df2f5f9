package io.parley.axon;

import io.parley.api.error.UnavailableException;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.GenericCommandResultMessage;
import org.axonframework.commandhandling.callbacks.LoggingCallback;
import org.axonframework.commandhandling.distributed.AnnotationRoutingStrategy;
import org.axonframework.commandhandling.distributed.RoutingStrategy;
import org.axonframework.commandhandling.distributed.UnresolvedRoutingKeyPolicy;
import org.axonframework.common.Registration;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.MessageHandler;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A command bus that runs the commands waiting at the same moment in one unit of work and one transaction: one
 * append of all their events, one commit, one wait for the file write, instead of one of each per command (issue 17:
 * at 1,000 msg/s the command side spent a quarter of the server's CPU, most of it per transaction).
 * <p>
 * <b>How.</b> Commands are queued per <em>lane</em>, chosen by their target aggregate ({@code @TargetAggregateIdentifier},
 * as Axon's distributed bus routes them), so the commands of one aggregate run in arrival order on one thread and two
 * lanes never wait for each other's aggregate locks. Each lane's thread takes what is queued, up to
 * {@code maxBatchSize}, starts a root unit of work with a transaction, and dispatches every command to the local
 * {@link CommandBus} inside it: Axon runs each in a nested unit of work whose events join the root's (Axon's
 * {@code AbstractEventBus}) and whose aggregates stay loaded and locked until the root commits. A lone command runs at
 * once; under load (a lane's last batch, or what it found queued, held more than one command) a lane starts at most
 * one batch per {@code window}, and the commands that arrive meanwhile join it, as the H2 group commit gathers
 * commits (without the window, lanes committed one or two commands at a time at 1,000 msg/s, and every commit was a
 * file write of its own).
 * <p>
 * <b>Guarantees.</b> A command's callback runs only after the root's commit is durable ({@link DeferredCommit}), so
 * a result still means committed and, with the H2 group commit, written to the file. Where the commit's durability
 * comes later (the group commit's next file write), the lane starts its next batch meanwhile and the batch's senders
 * are answered, in order, on the {@code parley-command-acks} thread once it has come: a lane does not sit idle while
 * the file is written (with four lanes that wait, 1,000 msg/s cost 101-110% of the server's CPU; one lane cost 70%
 * but could not carry 3,000 msg/s). When any command of a batch fails, or the unit of work
 * fails before its transaction commits, the root is rolled back, nothing of it is stored, and each of its commands
 * runs again on its own, as on Axon's {@code SimpleCommandBus}: the failing one gets its own error, the others their
 * results (a batch of one command that fails gets its error at once: there is nothing to run again). When the commit
 * itself fails, the batch may be stored: no command runs again, each is answered with the error. Every command is
 * answered once, whatever fails. A command dispatched while a unit of work is active on the caller's thread (from
 * within a handler) goes straight to the local bus, nested in the caller's, as before; so does a command without a
 * target aggregate (an administrator's).
 * <p>
 * <b>Overload.</b> A lane holds at most {@code queueCapacity} commands waiting; one dispatched to a full lane is
 * answered at once with {@link UnavailableException} (nothing was run: the sender may send it again after a moment;
 * UNAVAILABLE, 503) instead of waiting behind them. Without the bound, when more clients sent at once than the command
 * side carries (each socket has at most one command waiting, each HTTP request one), the queue, every sender's wait
 * and the heap grew with the number of senders (issue 17; docs/decisions.md).
 */
public class BatchingCommandBus implements CommandBus, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchingCommandBus.class);

    private record Pending(CommandMessage<?> command, CommandCallback<Object, Object> callback) {
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final CommandBus local;
    private final TransactionManager transactionManager;
    private final DeferredCommit deferredCommit;
    /** Answers what became durable after its commit returned, lane by lane in the order it was committed. */
    private final ExecutorService acknowledgements = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "parley-command-acks");
        thread.setDaemon(true); // never shut down: an answer due after close() still goes out
        return thread;
    });
    private final int maxBatchSize;
    private final long windowNanos;
    private final RoutingStrategy routing = AnnotationRoutingStrategy.builder()
            .fallbackRoutingStrategy(UnresolvedRoutingKeyPolicy.ERROR).build();
    private final List<Lane> lanes = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedCommands = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private final int queueCapacity;
    private volatile boolean shutDown;

    /**
     * @param local              the bus that holds the handlers and runs each command (Axon's {@code SimpleCommandBus})
     * @param transactionManager the transaction a batch runs in; the local bus's units of work join it
     * @param lanes              threads, each running the batches of its share of the aggregates
     * @param maxBatchSize       the most commands in one unit of work
     * @param window             under load, the least time between the starts of two batches of a lane: the
     *                           commands that arrive meanwhile join the next one
     * @param queueCapacity      the most commands waiting on one lane; one more is refused
     *                           ({@link UnavailableException})
     * @param deferredCommit     how a batch's commit runs and when it is durable ({@link DeferredCommit#SYNCHRONOUS}:
     *                           when it returns)
     */
    public BatchingCommandBus(CommandBus local, TransactionManager transactionManager, int lanes, int maxBatchSize,
                              Duration window, int queueCapacity, DeferredCommit deferredCommit) {
        if (lanes < 1 || maxBatchSize < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("lanes, maxBatchSize and queueCapacity must be at least 1");
        }
        this.queueCapacity = queueCapacity;
        this.local = local;
        this.transactionManager = transactionManager;
        this.deferredCommit = deferredCommit;
        this.maxBatchSize = maxBatchSize;
        this.windowNanos = window.toNanos();
        for (int i = 0; i < lanes; i++) {
            this.lanes.add(new Lane("parley-command-lane-" + i));
        }
    }

    @Override
    public <C> void dispatch(CommandMessage<C> command) {
        dispatch(command, LoggingCallback.INSTANCE); // as Axon's SimpleCommandBus answers a command nobody waits for
    }

    @Override
    @SuppressWarnings("unchecked")
    public <C, R> void dispatch(CommandMessage<C> command, CommandCallback<? super C, ? super R> callback) {
        String target = shutDown || CurrentUnitOfWork.isStarted() ? null : targetOf(command);
        if (target == null) {
            local.dispatch(command, callback); // nested in the caller's unit of work, or not an aggregate's command
            return;
        }
        Lane lane = lanes.get(Math.floorMod(target.hashCode(), lanes.size()));
        if (!lane.queue.offer(new Pending(command, (CommandCallback<Object, Object>) callback))) {
            refusals.incrementAndGet();
            callback.onResult(command, GenericCommandResultMessage.asCommandResultMessage(new UnavailableException(
                    "the server is busy: " + queueCapacity + " commands wait before this one; try again")));
            return;
        }
        if (!lane.thread.isAlive()) {
            lane.runAloneAll(); // the lane has ended (shut down): nothing else would take it
        }
    }

    /**
     * Whether {@link #dispatch} would only queue this command for a lane, never run a handler on the calling thread:
     * true for a command that targets an aggregate, from a thread outside a unit of work, until shut down. A caller
     * that may not block (a Netty event loop) can then dispatch without a hop to a worker thread.
     *
     * @param command a command's payload or a {@link CommandMessage}
     */
    public boolean queues(Object command) {
        return !shutDown && !CurrentUnitOfWork.isStarted()
                && targetOf(GenericCommandMessage.asCommandMessage(command)) != null;
    }

    /** The aggregate a command targets, or null for a command without one (such as an administrator's). */
    private String targetOf(CommandMessage<?> command) {
        try {
            return routing.getRoutingKey(command);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * One thread with its queue, and {@code answered}: completes once every answer the lane has given so far has run,
     * each after what it answers for was durable. Every answer waits for it as well as for its own commit, so answers
     * leave the lane in the order it committed, and a command that changed nothing (a send repeated with its
     * clientMsgId, answered from the aggregate's memory) is not answered before the batch that stored what it answers
     * with.
     */
    private final class Lane {

        private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(queueCapacity);
        private final Thread thread;
        private CompletableFuture<Void> answered = DONE;

        Lane(String name) {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            List<Pending> batch = new ArrayList<>(maxBatchSize);
            long lastStart = 0;
            int lastSize = 0;
            try {
                while (!shutDown || !queue.isEmpty()) {
                    Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, maxBatchSize - 1);
                    // Under load (the last batch or this one holds more than one command) at most one batch per
                    // window: the commands of the window share its commit. A lone sender is never held back.
                    if (lastSize > 1 || batch.size() > 1) {
                        long deadline = lastStart + windowNanos;
                        long wait;
                        while (batch.size() < maxBatchSize && (wait = deadline - System.nanoTime()) > 0) {
                            Pending next = queue.poll(wait, TimeUnit.NANOSECONDS);
                            if (next == null) {
                                break;
                            }
                            batch.add(next);
                            queue.drainTo(batch, maxBatchSize - batch.size());
                        }
                    }
                    lastStart = System.nanoTime();
                    lastSize = batch.size();
                    List<Pending> taken = List.copyOf(batch);
                    batch.clear(); // before running it: whatever happens, it does not run again below
                    runBatch(taken);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // ending (interrupted, or shut down): what this lane holds or has queued runs here, one by one
                batch.forEach(this::runAlone);
                runAloneAll();
            }
        }

        /**
         * Runs a batch in one unit of work. When a command fails, or the unit of work fails before its transaction
         * commits, nothing of the batch is stored and each command runs again on its own. When the commit itself
         * fails, the batch may or may not be stored: no command runs again, each is answered with the error (a client
         * retries; a repeated send is recognised by its clientMsgId).
         */
        private synchronized void runBatch(List<Pending> batch) {
            count(batch.size()); // before any answer: whoever reads the figures after an answer sees its batch
            List<CommandResultMessage<?>> results = new ArrayList<>(batch.size());
            boolean[] committing = {false};
            List<CompletableFuture<Void>> written = new ArrayList<>(1);
            Throwable failure = null;
            UnitOfWork<?> root = DefaultUnitOfWork.startAndGet(null);
            try {
                root.attachTransaction(() -> deferredTransaction(written));
                deferredCommit.begin(root);
                // commit handlers run last-registered first: this one runs just before the transaction's commit
                root.onCommit(u -> committing[0] = true);
                for (Pending pending : batch) {
                    CommandResultMessage<?> result = runOnLocalBus(pending);
                    results.add(result);
                    if (result.isExceptional()) {
                        failure = result.exceptionResult();
                        break;
                    }
                }
                if (failure == null) {
                    root.commit();
                }
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (root.isActive() && root.phase().isBefore(UnitOfWork.Phase.ROLLBACK)) {
                    root.rollback(failure);
                }
            }
            if (failure == null) {
                answerWhenDurable(batch, results, written.isEmpty() ? DONE : written.get(0));
            } else if (committing[0]) {
                log.error("the commit of a batch of {} commands failed; each is answered with the error",
                        batch.size(), failure);
                CommandResultMessage<?> error = GenericCommandResultMessage.asCommandResultMessage(failure);
                answerWhenDurable(batch, Collections.nCopies(batch.size(), error), DONE);
            } else if (batch.size() == 1 && results.size() == 1 && results.get(0).isExceptional()) {
                answerWhenDurable(batch, results, DONE); // a lone command's own error: nothing to run again
            } else {
                log.debug("a batch of {} commands failed before its commit; running them one by one", batch.size(),
                        failure);
                fallbacks.incrementAndGet();
                batch.forEach(this::runAlone);
            }
        }

        /**
         * A transaction whose commit is deferred ({@link DeferredCommit}): only the transaction's own commit, not what
         * Axon runs after it; the future that completes once it is durable goes into {@code written}.
         */
        private Transaction deferredTransaction(List<CompletableFuture<Void>> written) {
            Transaction transaction = transactionManager.startTransaction();
            return new Transaction() {
                @Override
                public void commit() {
                    written.add(deferredCommit.run(transaction::commit));
                }

                @Override
                public void rollback() {
                    transaction.rollback();
                }
            };
        }

        /**
         * Runs one command in its own unit of work on the local bus (its commit waits for its own durability); its
         * sender is answered once what the lane committed before is durable too, whatever happens, and so is what
         * the store holds committed but not yet durable ({@link DeferredCommit#run} of nothing): a command that wrote
         * nothing may answer from it (a repeated send, after its batch's unit of work rolled back behind a write the
         * store had already accepted).
         */
        private synchronized void runAlone(Pending pending) {
            CommandResultMessage<?> result = runOnLocalBus(pending);
            answerWhenDurable(List.of(pending), List.of(result), deferredCommit.run(() -> {
            }));
        }

        private void runAloneAll() {
            for (Pending pending; (pending = queue.poll()) != null; ) {
                runAlone(pending);
            }
        }

        /**
         * Answers each command with its result once {@code written} is durable and every earlier answer of the lane
         * has run (each of which waited for its own write); all of them with the error when their write failed. At
         * once on the lane's thread when nothing is outstanding, else on the acknowledgements thread.
         */
        private void answerWhenDurable(List<Pending> batch, List<CommandResultMessage<?>> results,
                                       CompletableFuture<Void> written) {
            if (written.isDone() && answered.isDone()) {
                answerAll(batch, results, written);
                return;
            }
            answered = CompletableFuture.allOf(answered, written).handleAsync((ignored, error) -> {
                answerAll(batch, results, written);
                return null;
            }, acknowledgements);
        }

        /** Waits at most until the deadline for the answers this lane still owes (at shutdown). */
        private void awaitAnswered(long deadlineNanos) {
            CompletableFuture<Void> last;
            synchronized (this) {
                last = answered;
            }
            try {
                last.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn("{}: answers still wait for their write at shutdown; they go out when it is done",
                        thread.getName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // answerAll does not throw; nothing else completes it exceptionally
            }
        }
    }

    /**
     * Runs one command on the local bus, in the unit of work active on this thread if any (a batch's root) or in its
     * own, and returns its result: what the handler threw or returned, as the bus answers it before it returns (a
     * later answer would not be part of the unit of work, and is an error here).
     */
    private CommandResultMessage<?> runOnLocalBus(Pending pending) {
        CommandResultMessage<?>[] result = {null};
        try {
            local.dispatch(pending.command(), (message, outcome) -> result[0] = outcome);
        } catch (Throwable e) {
            return GenericCommandResultMessage.asCommandResultMessage(e);
        }
        return result[0] != null ? result[0] : GenericCommandResultMessage.asCommandResultMessage(
                new IllegalStateException("the local command bus answered asynchronously"));
    }

    /** Answers each command with its result, or all with the error that kept what they wrote from being durable. */
    private static void answerAll(List<Pending> batch, List<CommandResultMessage<?>> results,
                                  CompletableFuture<Void> durable) {
        Throwable error = durable.handle((done, e) -> e).join();
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            log.error("{} commands wait for a write that failed (of what they committed, or of what they read); each "
                    + "is answered with the error", batch.size(), cause);
            CommandResultMessage<?> failed = GenericCommandResultMessage.asCommandResultMessage(cause);
            batch.forEach(pending -> answer(pending, failed));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            answer(batch.get(i), results.get(i));
        }
    }

    private static void answer(Pending pending, CommandResultMessage<?> result) {
        try {
            pending.callback().onResult(pending.command(), result);
        } catch (Throwable e) {
            log.warn("the callback of command {} failed", pending.command().getCommandName(), e);
        }
    }

    private void count(int commands) {
        batches.incrementAndGet();
        batchedCommands.addAndGet(commands);
    }

    /**
     * Units of work run and the commands they carried since start ({@code commands / batches} is the mean batch
     * size), and how many batches failed and ran their commands one by one.
     */
    public long[] batchesCommandsAndFallbacks() {
        return new long[] {batches.get(), batchedCommands.get(), fallbacks.get()};
    }

    /** Commands refused since start because their lane's queue was full. */
    public long refusals() {
        return refusals.get();
    }

    /** Commands waiting on the lanes now. */
    public int queued() {
        return lanes.stream().mapToInt(lane -> lane.queue.size()).sum();
    }

    /**
     * Lets the lanes run what is queued and end, and waits for the answers they still owe (ten seconds in all; an
     * answer whose write comes later still goes out then); a command dispatched from now on runs on the caller's
     * thread.
     */
    @Override
    public void close() throws InterruptedException {
        shutDown = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Lane lane : lanes) {
            lane.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        for (Lane lane : lanes) {
            lane.awaitAnswered(deadline); // the last batches' writes are under way (the group commit closes later)
        }
    }

    @Override
    public Registration subscribe(String commandName, MessageHandler<? super CommandMessage<?>> handler) {
        return local.subscribe(commandName, handler);
    }

    @Override
    public Registration registerHandlerInterceptor(MessageHandlerInterceptor<? super CommandMessage<?>> interceptor) {
        return local.registerHandlerInterceptor(interceptor);
    }

    @Override
    public Registration registerDispatchInterceptor(
            MessageDispatchInterceptor<? super CommandMessage<?>> dispatchInterceptor) {
        return local.registerDispatchInterceptor(dispatchInterceptor);
    }
}
