package io.parley.query.admin;

import io.parley.api.admin.AdminMessages.ProjectionStatus;
import io.parley.api.admin.AdminMessages.ProjectionStatusQuery;
import io.parley.api.admin.AdminMessages.RebuildProjection;
import io.parley.api.error.NotFoundException;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.queryhandling.QueryHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rebuilds projections from the event store while the system keeps serving: the processor stops, its tokens are reset
 * (its {@code @ResetHandler} clears the read model), and it starts again, replaying from the first event. Progress is
 * answered by {@link ProjectionStatusQuery} and logged every few seconds while a replay runs.
 */
@Component
class ProjectionAdmin {

    private static final Logger log = LoggerFactory.getLogger(ProjectionAdmin.class);

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final Map<String, ReplayProgress> progress = new ConcurrentHashMap<>();

    ProjectionAdmin(EventProcessingConfiguration processing, EventStore eventStore) {
        this.processing = processing;
        this.eventStore = eventStore;
    }

    @CommandHandler
    ProjectionStatus handle(RebuildProjection command) {
        StreamingEventProcessor processor = processor(command.projection());
        log.info("rebuilding projection {} from the event store", command.projection());
        processor.shutDown();
        processor.resetTokens();
        progressOf(command.projection()).rebuildStarted(System.nanoTime());
        processor.start();
        return status(command.projection());
    }

    @QueryHandler
    ProjectionStatus handle(ProjectionStatusQuery query) {
        return processing.eventProcessor(query.projection(), StreamingEventProcessor.class).isPresent()
                ? status(query.projection()) : null;
    }

    /** Logs the progress of replays (long operations show progress). */
    @Scheduled(fixedDelay = 5000)
    void logProgress() {
        processing.eventProcessors().keySet().forEach(name -> processing
                .eventProcessor(name, StreamingEventProcessor.class)
                .filter(StreamingEventProcessor::isReplaying)
                .ifPresent(processor -> {
                    ProjectionStatus status = status(name);
                    log.info(ReplayProgress.logLine(name, status.position(), status.head(),
                            new ReplayProgress.Estimate(status.eventsPerSecond(), status.secondsLeft())));
                }));
    }

    private ReplayProgress progressOf(String name) {
        return progress.computeIfAbsent(name, n -> new ReplayProgress());
    }

    private StreamingEventProcessor processor(String name) {
        return processing.eventProcessor(name, StreamingEventProcessor.class)
                .orElseThrow(() -> new NotFoundException("no projection named " + name));
    }

    private ProjectionStatus status(String name) {
        StreamingEventProcessor processor = processor(name);
        Map<Integer, EventTrackerStatus> segments = processor.processingStatus();
        long position = segments.values().stream()
                .mapToLong(s -> s.getCurrentPosition().orElse(0L)).min().orElse(0);
        boolean caughtUp = !segments.isEmpty() && segments.values().stream().allMatch(EventTrackerStatus::isCaughtUp);
        long head = ConsistencyCheck.position(eventStore.createHeadToken());
        ReplayProgress.Estimate estimate = progressOf(name).observe(position, head, processor.isReplaying(),
                caughtUp, System.nanoTime());
        return new ProjectionStatus(name, processor.isRunning(), processor.isReplaying(), caughtUp, position, head,
                estimate.eventsPerSecond(), estimate.secondsLeft());
    }
}
