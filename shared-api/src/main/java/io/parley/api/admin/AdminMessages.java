package io.parley.api.admin;

import java.time.Instant;
import java.util.List;

/** Operator messages: projection rebuilds and the read-model consistency check. Handled by the query side. */
public final class AdminMessages {

    private AdminMessages() {
    }

    /** Rebuilds a projection from the event store while the system keeps serving. Answers {@link ProjectionStatus}. */
    public record RebuildProjection(String projection) {
    }

    /** Answers {@link ProjectionStatus}, or null for an unknown projection. */
    public record ProjectionStatusQuery(String projection) {
    }

    /**
     * Where a projection stands: its position in the event stream, the head, whether it is replaying, its recent rate
     * and the time left at that rate.
     */
    public record ProjectionStatus(String projection, boolean running, boolean replaying, boolean caughtUp,
                                   long position, long head, double eventsPerSecond, Long secondsLeft) {
    }

    /** Replays the event store into a scratch copy of the read models and compares. Answers {@link ConsistencyReport}. */
    public record CheckConsistencyQuery() {
    }

    /**
     * The outcome of a consistency check: how much was compared and the first differences found
     * ({@code differences} is capped; {@code differenceCount} is the total).
     */
    public record ConsistencyReport(boolean consistent, long eventsReplayed, int conversationsChecked,
                                    long messagesChecked, int usersChecked, int differenceCount,
                                    List<String> differences, Instant checkedAt) {
    }
}
