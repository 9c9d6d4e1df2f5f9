package io.parley.bench.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator's frame reading and the ids it puts in its sends. */
class FrameTest {

    @Test
    void readsTheFieldsTheBenchmarkNeedsAndSkipsNestedValues() {
        Frame f = Frame.parse("{\"type\":\"message\",\"conversationId\":\"d-1\",\"messageId\":\"x\",\"seq\":7,"
                + "\"senderId\":\"u1\",\"text\":\"42 xxx\",\"attachments\":[{\"a\":1}],\"editedAt\":null}");
        assertThat(f.type).isEqualTo("message");
        assertThat(f.conversationId).isEqualTo("d-1");
        assertThat(f.seq).isEqualTo(7);
        assertThat(f.senderId).isEqualTo("u1");
        assertThat(OpenLoop.indexOfText(f.text)).isEqualTo(42);
        assertThat(Frame.parse("not json").type).isEqualTo("unparseable");
    }

    @Test
    void indexesComeBackFromIdsAndTexts() {
        assertThat(OpenLoop.indexOfId("m123")).isEqualTo(123);
        assertThat(OpenLoop.indexOfId("x123")).isEqualTo(-1);
        assertThat(OpenLoop.indexOfId(null)).isEqualTo(-1);
        assertThat(OpenLoop.indexOfText("77")).isEqualTo(77);
        assertThat(OpenLoop.indexOfText("hello")).isEqualTo(-1);
    }
}
