package io.parley.api.wire;

import io.parley.api.error.InvalidCommandException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceparentInputTest {

    static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aW3cTraceparentIsAcceptedAndNoneIsNone() {
        assertThat(ClientInput.traceparent(VALID, "traceparent")).isEqualTo(VALID);
        assertThat(ClientInput.traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "traceparent"))
                .as("not sampled is still valid").isNotNull();
        assertThat(ClientInput.traceparent(null, "traceparent")).isNull();
    }

    @Test
    void anythingElseIsRefusedNamingTheField() {
        for (Object bad : new Object[]{"", "00-not-a-trace", VALID.toUpperCase(), VALID + "-", "01" + VALID.substring(2),
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01", 42}) {
            assertThatThrownBy(() -> ClientInput.traceparent(bad, "traceparent")).as(String.valueOf(bad))
                    .isInstanceOf(InvalidCommandException.class).hasMessageContaining("'traceparent'");
        }
    }
}
