package io.parley.query.admin;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 19, item 4: a replay's progress line names a rate and the time left, never "0 events/s, null s left". */
class ReplayProgressTest {

    private static final long SECOND = 1_000_000_000L;

    private final ReplayProgress progress = new ReplayProgress();

    @Test
    void aRebuildLookedAtSoonAfterItStartedHasARateAndTimeLeftFromTheAverageSinceItsStart() {
        progress.rebuildStarted(0);
        // the first look comes before the segments are claimed: nothing measured yet, said as such
        ReplayProgress.Estimate unclaimed = progress.observe(0, 10_000, false, false, SECOND / 10);
        assertThat(unclaimed.secondsLeft()).isNull();
        assertThat(ReplayProgress.logLine("p", 0, 10_000, unclaimed))
                .isEqualTo("rebuild of p: position 0 of 10000 (measuring the rate)");

        ReplayProgress.Estimate first = progress.observe(2_000, 10_000, true, false, 2 * SECOND);
        assertThat(first.eventsPerSecond()).isEqualTo(1_000);
        assertThat(first.secondsLeft()).isEqualTo(8);
        // a second look 0.1 s later (two callers at once) still has both
        ReplayProgress.Estimate close = progress.observe(2_100, 10_000, true, false, 2 * SECOND + SECOND / 10);
        assertThat(close.eventsPerSecond()).isEqualTo(1_000);
        assertThat(close.secondsLeft()).isEqualTo(8);
        assertThat(ReplayProgress.logLine("conversation-projection", 2_100, 10_000, close))
                .isEqualTo("rebuild of conversation-projection: position 2100 of 10000 (1000 events/s, 8 s left)");
    }

    @Test
    void aReplaySeenOnlyWhileRunningIsMeasuredFromWhereItWasFirstSeen() {
        assertThat(progress.observe(5_000, 9_000, true, false, 10 * SECOND).secondsLeft()).isNull();
        ReplayProgress.Estimate later = progress.observe(7_000, 9_000, true, false, 12 * SECOND);
        assertThat(later.eventsPerSecond()).isEqualTo(1_000);
        assertThat(later.secondsLeft()).isEqualTo(2);
    }

    @Test
    void caughtUpMeansNoTimeLeftAndTheLiveRateIsMeasuredBetweenLooks() {
        assertThat(progress.observe(100, 100, false, true, 0).secondsLeft()).isZero();
        ReplayProgress.Estimate live = progress.observe(300, 300, false, true, 2 * SECOND);
        assertThat(live.eventsPerSecond()).isEqualTo(100);
        assertThat(live.secondsLeft()).isZero();
    }
}
