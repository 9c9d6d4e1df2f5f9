package io.parley.push.streams;

import io.parley.api.error.InvalidCommandException;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamPositionTest {

    @Test
    void aPositionWithoutGapsIsThePlainIndexAsOlderConsumersSavedIt() {
        assertThat(StreamPosition.format(GapAwareTrackingToken.newInstance(42, List.of()))).isEqualTo("42");
        assertThat(StreamPosition.parse("42")).isEqualTo(GapAwareTrackingToken.newInstance(42, List.of()));
        assertThat(StreamPosition.parse("-1")).isNull();
    }

    @Test
    void anEventThatCommittedLateGetsAnIdOfItsOwnThatResumesExactly() {
        GapAwareTrackingToken before = GapAwareTrackingToken.newInstance(32396, List.of(32395L));
        GapAwareTrackingToken late = GapAwareTrackingToken.newInstance(32396, List.of());
        assertThat(StreamPosition.format(before)).isEqualTo("32396~1").isNotEqualTo(StreamPosition.format(late));
        assertThat(StreamPosition.parse(StreamPosition.format(before))).isEqualTo(before);
    }

    @Test
    void somethingElseIsRefusedWithAReadableReason() {
        for (String bad : List.of("", "x", "-2", "5~", "5~0", "5~6", "5~1.x", "-1~1")) {
            assertThatThrownBy(() -> StreamPosition.parse(bad)).as(bad)
                    .isInstanceOf(InvalidCommandException.class).hasMessageContaining("position");
        }
    }
}
