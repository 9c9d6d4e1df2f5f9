package io.parley.axon;

import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.SnapshotTrigger;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class CachedSnapshotTriggerDefinitionTest {

    private static final int AGGREGATES = 100;
    private static final int THRESHOLD = 20;

    /** Events of each aggregate handled when each of its snapshots was asked for. */
    private final Map<String, List<Integer>> asked = new HashMap<>();
    private final Map<String, Integer> handled = new HashMap<>();

    @Test
    void aggregatesOfEqualTrafficAskForSnapshotsAtCountsOfTheirOwnAroundTheThreshold() {
        Map<Integer, Integer> askedPerRound = sendRoundRobin(CachedSnapshotTriggerDefinition.spreadAround(
                (type, id) -> asked.computeIfAbsent(id, key -> new ArrayList<>()).add(handled.get(id)), THRESHOLD), 80);

        assertThat(asked).hasSize(AGGREGATES);
        asked.forEach((id, counts) -> {
            int own = counts.get(0);
            assertThat(own).as(id).isBetween(THRESHOLD / 2, THRESHOLD * 3 / 2 - 1);
            for (int i = 1; i < counts.size(); i++) {
                assertThat(counts.get(i) - counts.get(i - 1)).as(id + ": every %d events", own).isEqualTo(own);
            }
        });
        assertThat(asked.values().stream().map(counts -> counts.get(0)).distinct().count())
                .as("thresholds of their own").isGreaterThan(THRESHOLD / 2);
        assertThat(asked.values().stream().mapToInt(counts -> counts.get(0)).average().orElseThrow())
                .as("on average the threshold").isBetween(THRESHOLD * 0.8, THRESHOLD * 1.2);
        assertThat(askedPerRound.values()).as("snapshots asked for in one round of one event each")
                .allMatch(n -> n <= AGGREGATES / 4);
    }

    @Test
    void withOneThresholdForAllEveryAggregateAsksAtItAndAllInTheSameRound() {
        Map<Integer, Integer> askedPerRound = sendRoundRobin(new CachedSnapshotTriggerDefinition(
                (type, id) -> asked.computeIfAbsent(id, key -> new ArrayList<>()).add(handled.get(id)), THRESHOLD), 40);

        assertThat(asked.values()).allMatch(counts -> counts.equals(List.of(THRESHOLD, 2 * THRESHOLD)));
        assertThat(askedPerRound).containsEntry(THRESHOLD, AGGREGATES);
    }

    @Test
    void aThresholdOfOneAsksAtEveryEventAndTheLargestNeverWithinAnyRealCount() {
        sendRoundRobin(CachedSnapshotTriggerDefinition.spreadAround(
                (type, id) -> asked.computeIfAbsent(id, key -> new ArrayList<>()).add(handled.get(id)), 1), 3);
        assertThat(asked.values()).allMatch(counts -> counts.equals(List.of(1, 2, 3)));

        asked.clear();
        handled.clear();
        sendRoundRobin(CachedSnapshotTriggerDefinition.spreadAround(
                (type, id) -> asked.computeIfAbsent(id, key -> new ArrayList<>()).add(handled.get(id)),
                Integer.MAX_VALUE), 100);
        assertThat(asked).as("no threshold overflowed to a small one").isEmpty();
    }

    /** One event for each aggregate per round; the snapshots asked for in each round. */
    private Map<Integer, Integer> sendRoundRobin(CachedSnapshotTriggerDefinition definition, int rounds) {
        Map<String, SnapshotTrigger> triggers = new HashMap<>();
        Map<Integer, Integer> askedPerRound = new TreeMap<>();
        for (int round = 1; round <= rounds; round++) {
            int before = asked.values().stream().mapToInt(List::size).sum();
            for (int a = 0; a < AGGREGATES; a++) {
                String id = "d-" + a;
                int sequenceNumber = handled.merge(id, 1, Integer::sum) - 1;
                triggers.computeIfAbsent(id, key -> definition.prepareTrigger(Object.class)).eventHandled(
                        new GenericDomainEventMessage<>("Conversation", id, sequenceNumber, "event " + sequenceNumber));
            }
            askedPerRound.put(round, asked.values().stream().mapToInt(List::size).sum() - before);
        }
        return askedPerRound;
    }
}
