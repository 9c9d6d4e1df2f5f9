package io.parley.query.admin;

/**
 * The rate and time left of one projection, from the positions it was seen at. While it replays, the rate is the
 * average since the replay was first seen (a replay runs at a steady pace, and the average has a value from the first
 * replayed event on, where a rate between two close looks had none: "0 events/s, null s left"); otherwise the rate
 * between the last two looks at least {@code window} apart (the live pace). Time left is 0 when caught up, and
 * unknown (null) only while nothing has been measured yet.
 */
final class ReplayProgress {

    /** What an operator is told. {@code secondsLeft} null: not known yet. */
    record Estimate(double eventsPerSecond, Long secondsLeft) {
    }

    private static final long WINDOW_NANOS = 500_000_000L;

    private long replayStartPosition = -1;
    private long replayStartNanos;
    /** A rebuild was started here and its replay has not been seen ending yet (its segments may not be claimed). */
    private boolean rebuilding;
    private long samplePosition = -1;
    private long sampleNanos;
    private double liveRate;

    /** Forgets the replay seen so far: a rebuild starts from the first event. */
    synchronized void rebuildStarted(long nanos) {
        replayStartPosition = 0;
        replayStartNanos = nanos;
        rebuilding = true;
        samplePosition = -1;
        liveRate = 0;
    }

    synchronized Estimate observe(long position, long head, boolean replaying, boolean caughtUp, long nanos) {
        double rate;
        if (replaying) {
            if (replayStartPosition < 0) {
                replayStartPosition = position;
                replayStartNanos = nanos;
            }
            long elapsed = nanos - replayStartNanos;
            rate = elapsed > 0 && position > replayStartPosition
                    ? (position - replayStartPosition) / (elapsed / 1e9) : 0;
        } else {
            if (!rebuilding || caughtUp) {
                replayStartPosition = -1;
                rebuilding = false;
            }
            if (samplePosition < 0) {
                samplePosition = position;
                sampleNanos = nanos;
            } else if (nanos - sampleNanos >= WINDOW_NANOS) {
                liveRate = Math.max(0, position - samplePosition) / ((nanos - sampleNanos) / 1e9);
                samplePosition = position;
                sampleNanos = nanos;
            }
            rate = liveRate;
        }
        Long secondsLeft = caughtUp || head <= position ? Long.valueOf(0)
                : rate > 0 ? Long.valueOf(Math.round((head - position) / rate)) : null;
        return new Estimate(rate, secondsLeft);
    }

    /** The progress line logged while a replay runs. */
    static String logLine(String name, long position, long head, Estimate estimate) {
        String pace = estimate.secondsLeft() == null
                ? "measuring the rate"
                : Math.round(estimate.eventsPerSecond()) + " events/s, " + estimate.secondsLeft() + " s left";
        return "rebuild of " + name + ": position " + position + " of " + head + " (" + pace + ")";
    }
}
