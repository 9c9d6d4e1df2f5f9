package io.parley.command.conversation;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class ConversationConfigurationTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(ConversationConfiguration.class);

    @Test
    void thePolicyDefaultsToFourThousandCharactersAThousandMembersAndTenThousandEditableMessages() {
        context.run(started -> assertThat(started.getBean(ConversationPolicy.class))
                .isEqualTo(new ConversationPolicy(4_000, 1_000, 10_000))
                .isEqualTo(ConversationPolicy.DEFAULTS));
    }

    @Test
    void theLimitsComeFromParleyConversationProperties() {
        context.withPropertyValues("parley.conversation.max-text-length=500",
                        "parley.conversation.max-group-size=50", "parley.conversation.edit-window=100")
                .run(started -> assertThat(started.getBean(ConversationPolicy.class))
                        .isEqualTo(new ConversationPolicy(500, 50, 100)));
    }

    @Test
    void anEditWindowBeyondWhatTheAggregateRetainsFailsTheStartUp() {
        context.withPropertyValues("parley.conversation.edit-window=20000")
                .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("parley.conversation.edit-window"));
    }
}
