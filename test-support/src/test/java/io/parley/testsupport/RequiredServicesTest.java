package io.parley.testsupport;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequiredServicesTest {

    @Test
    void aMissingServiceSkipsTheTestOnABareMachine() {
        assertThatThrownBy(() -> RequiredServices.missing("Redis unreachable", new IOException("refused"), false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("Redis unreachable");
    }

    @Test
    void aMissingServiceFailsTheTestWhereEveryServiceIsRequired() {
        IOException cause = new IOException("refused");
        assertThatThrownBy(() -> RequiredServices.missing("Redis unreachable", cause, true))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("Redis unreachable")
                .hasMessageContaining("PARLEY_REQUIRE_SERVICES=true")
                .hasCause(cause);
    }
}
