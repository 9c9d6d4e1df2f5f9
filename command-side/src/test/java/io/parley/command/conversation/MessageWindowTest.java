package io.parley.command.conversation;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static io.parley.command.conversation.ConversationTestData.messageId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageWindowTest {

    private final MessageWindow window = new MessageWindow();

    @Test
    void theWindowHoldsTheFactsOfTheMostRecentTenThousandMessages() {
        int total = MessageWindow.CAPACITY + 2_345;
        for (long seq = 1; seq <= total; seq++) {
            window.record(seq, messageId(seq), "user-" + (seq % 7));
        }
        assertThat(window.holds(total - MessageWindow.CAPACITY)).isFalse();
        assertThat(window.holds(total - MessageWindow.CAPACITY + 1)).isTrue();
        assertThat(window.holds(total + 1)).isFalse();
        IntStream.of(2_346, 5_000, 10_000, 10_001, total).forEach(seq -> {
            assertThat(window.messageIdOf(seq)).isEqualTo(messageId(seq));
            assertThat(window.senderOf(seq)).isEqualTo("user-" + (seq % 7));
        });
    }

    @Test
    void theSenderDictionaryStaysNearTheNumberOfSendersStillInTheWindow() {
        // a new sender every 100 messages: 500 senders over time, about 100 of them in the window at any one time
        long total = 5L * MessageWindow.CAPACITY;
        for (long seq = 1; seq <= total; seq++) {
            window.record(seq, messageId(seq), "user-" + (seq / 100));
        }
        assertThat(window.senderOf(total - MessageWindow.CAPACITY + 1)).isEqualTo("user-400");
        assertThat(window.senderOf(total)).isEqualTo("user-500");
        assertThat(window).extracting("senderIds").asInstanceOf(InstanceOfAssertFactories.LIST)
                .hasSizeBetween(101, 250);
    }

    @Test
    void deletionsAreForgottenWithTheirMessages() {
        for (long seq = 1; seq <= 10; seq++) {
            window.record(seq, messageId(seq), "a");
        }
        window.markDeleted(3);
        assertThat(window.isDeleted(3)).isTrue();
        assertThat(window.isDeleted(4)).isFalse();
        for (long seq = 11; seq <= MessageWindow.CAPACITY + 3; seq++) {
            window.record(seq, messageId(seq), "a");
        }
        assertThat(window).extracting("deleted").asInstanceOf(InstanceOfAssertFactories.COLLECTION).isEmpty();
    }

    @Test
    void messagesAreRecordedInSeqOrderOnly() {
        window.record(1, messageId(1), "a");
        assertThatThrownBy(() -> window.record(3, messageId(3), "a")).isInstanceOf(IllegalStateException.class);
    }
}
