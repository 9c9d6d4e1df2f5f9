package io.parley.eventstore;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Waking readers of the event store in other processes ({@code parley.event-nudge.*}). The poll belongs to
 * {@link ParleyEventStore}; the Redis transport of the nudge is the {@code distributed} module's.
 *
 * @param mode               {@code none} (poll only) or {@code redis} (publish a nudge after each commit, wake on
 *                           nudges)
 * @param fetchDelay         the poll interval that remains as a fallback for lost nudges
 * @param processorWakeDelay the least time between two wake-ups of this process's streaming processors, so that under
 *                           load the commits of that time reach each in one batch ({@link ParleyEventStore}); the first
 *                           commit after a quiet spell wakes them at once; 0 wakes them at every commit. Under load it
 *                           adds up to this much to the commit-to-read-model lag, never to live delivery
 */
@ConfigurationProperties(prefix = "parley.event-nudge")
public record EventNudgeProperties(@DefaultValue("none") String mode,
                                   @DefaultValue("500ms") Duration fetchDelay,
                                   @DefaultValue("25ms") Duration processorWakeDelay) {
}
