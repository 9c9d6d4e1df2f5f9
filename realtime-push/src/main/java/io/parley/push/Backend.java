package io.parley.push;

import io.parley.api.query.ReadConsistency;
import io.parley.push.audit.Origin;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.responsetypes.ResponseType;
import org.axonframework.queryhandling.GenericQueryMessage;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.Map;

/**
 * The edge's only way to the other sides: Axon's command and query buses. Axon's simple buses run the handler,
 * JDBC included, on the calling thread, so calls hop from the Netty event loop to a bounded worker pool here; a
 * command that the bus only queues for another thread ({@link QueuingBus}) is sent from the calling thread, as the hop
 * would cost more than the queueing (docs/benchmark.md, issue 17's twenty-first stop).
 */
@Component
public class Backend {

    private final CommandGateway commandGateway;
    private final QueryGateway queryGateway;
    private final Scheduler workers;
    private final QueuingBus queuing;

    /**
     * Whether the command bus only queues {@code command} for a thread of its own, never running its handler on the
     * calling thread: then it may be sent from a Netty event loop. Wired by an application whose bus does so (the
     * standalone application, for axon-config's command lanes: the edge names no bus, ModuleBoundariesTest); without
     * one, every command hops to a worker.
     */
    @FunctionalInterface
    public interface QueuingBus {

        /** A bus that queues nothing for another thread: every command hops to a worker. */
        QueuingBus NEVER = command -> false;

        boolean queues(Object command);
    }

    Backend(CommandGateway commandGateway, QueryGateway queryGateway, ObjectProvider<QueuingBus> queuing,
            PushProperties properties) {
        this.commandGateway = commandGateway;
        this.queryGateway = queryGateway;
        this.queuing = queuing.getIfAvailable(() -> QueuingBus.NEVER);
        this.workers = Schedulers.newBoundedElastic(properties.commandConcurrency(), 100_000, "parley-backend");
    }

    /**
     * Sends a command; the result (or the handler's exception) arrives after the unit of work committed. The
     * command's metadata says where it came from ({@link Origin}, from the Reactor context of the request or frame).
     */
    public <R> Mono<R> send(Object command) {
        return Mono.deferContextual(context -> send(command, Origin.metadataOf(context)));
    }

    /** Sends a command with this metadata (never a secret: it is stored with the events it causes). */
    public <R> Mono<R> send(Object command, Map<String, ?> metadata) {
        Mono<R> sent = Mono.fromFuture(() -> commandGateway.send(command, MetaData.from(metadata)));
        return queuing.queues(command) ? sent : sent.subscribeOn(workers);
    }

    public <R> Mono<R> query(Object query, ResponseType<R> responseType) {
        return Mono.fromFuture(() -> queryGateway.query(query, responseType)).subscribeOn(workers);
    }

    /** Blocking variant, for threads that may block (the fan-out reader, sync). */
    public <R> R queryNow(Object query, ResponseType<R> responseType) {
        return queryGateway.query(query, responseType).join();
    }

    /**
     * Blocking, and without the read-your-writes wait: for a read whose answer an earlier query already established
     * ({@link ReadConsistency}).
     */
    public <R> R queryEstablished(Object query, ResponseType<R> responseType) {
        return queryWith(Map.of(ReadConsistency.KEY, ReadConsistency.ESTABLISHED), query, responseType);
    }

    /**
     * Blocking, waiting only until the read model holds every event up to {@code position}, a global index of the
     * event store ({@link ReadConsistency#POSITION_KEY}).
     */
    public <R> R queryAt(Object query, long position, ResponseType<R> responseType) {
        return queryWith(Map.of(ReadConsistency.POSITION_KEY, position), query, responseType);
    }

    private <R> R queryWith(Map<String, ?> metadata, Object query, ResponseType<R> responseType) {
        return queryGateway.query(new GenericQueryMessage<>(query, responseType).andMetaData(metadata), responseType)
                .join();
    }

    public Scheduler workers() {
        return workers;
    }
}
