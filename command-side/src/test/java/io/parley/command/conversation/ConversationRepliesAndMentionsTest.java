package io.parley.command.conversation;

import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationEvents.MessageDeleted;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.error.NotFoundException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.parley.command.conversation.ConversationTestData.ALICE;
import static io.parley.command.conversation.ConversationTestData.BOB;
import static io.parley.command.conversation.ConversationTestData.CAROL;
import static io.parley.command.conversation.ConversationTestData.DAVE;
import static io.parley.command.conversation.ConversationTestData.EARLIER;
import static io.parley.command.conversation.ConversationTestData.GROUP;
import static io.parley.command.conversation.ConversationTestData.matching;
import static io.parley.command.conversation.ConversationTestData.messageId;
import static io.parley.command.conversation.ConversationTestData.sent;
import static io.parley.command.conversation.ConversationTestData.teamCreated;
import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.messageWithPayload;
import static org.hamcrest.Matchers.containsString;

/** Replies (replyTo) and explicit mentions on send. */
class ConversationRepliesAndMentionsTest {

    private AggregateTestFixture<Conversation> fixture;

    @BeforeEach
    void setUp() {
        fixture = ConversationTestData.fixture();
    }

    private static SendMessage send(String sender, String clientMsgId, List<String> mentions, Long replyTo) {
        return new SendMessage(GROUP, sender, clientMsgId, "text", List.of(), mentions, replyTo);
    }

    @Test
    void aReplyCarriesTheSeqItAnswers() {
        fixture.given(teamCreated(), sent(1, BOB), sent(2, CAROL))
                .when(send(ALICE, "a-1", null, 1L))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("seq 3 replying to 1",
                        MessageSent.class, e -> e.seq() == 3 && Long.valueOf(1).equals(e.replyTo())
                                && e.mentionsOrNone().isEmpty())), andNoMore()));
    }

    @Test
    void aReplyToASeqThatDoesNotExistIsNotFound() {
        fixture.given(teamCreated(), sent(1, BOB))
                .when(send(ALICE, "a-1", null, 2L))
                .expectException(NotFoundException.class)
                .expectExceptionMessage(containsString("no message 2"));
    }

    @Test
    void aReplyToADeletedMessageIsNotFound() {
        fixture.given(teamCreated(), sent(1, BOB), new MessageDeleted(GROUP, messageId(1), 1, BOB, EARLIER))
                .when(send(ALICE, "a-1", null, 1L))
                .expectException(NotFoundException.class)
                .expectExceptionMessage(containsString("deleted"));
    }

    @Test
    void aRetriedReplyAnswersTheOriginalAndEmitsNothing() {
        MessageSent original = new MessageSent(GROUP, messageId(2), 2, ALICE, "a-1", "text", List.of(),
                EARLIER, List.of(), 1L);
        fixture.given(teamCreated(), sent(1, BOB), original)
                .when(send(ALICE, "a-1", null, 1L))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void mentionsKeepOnlyCurrentMembersEachOnceWithoutTheSender() {
        fixture.given(teamCreated())
                .when(send(ALICE, "a-1", List.of(BOB, DAVE, ALICE, BOB, CAROL), null))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("mentioning bob and carol",
                        MessageSent.class, e -> e.mentionsOrNone().equals(List.of(BOB, CAROL)))), andNoMore()));
    }

    @Test
    void mentioningOnlyNonMembersIsAMessageWithoutMentions() {
        fixture.given(teamCreated())
                .when(send(ALICE, "a-1", List.of(DAVE, "nobody-at-all"), null))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("mentioning no one",
                        MessageSent.class, e -> e.mentionsOrNone().isEmpty())), andNoMore()));
    }

    @Test
    void anEventWrittenBeforeMentionsAndRepliesReadsAsNone() {
        MessageSent old = new MessageSent(GROUP, messageId(1), 1, BOB, "c-1", "x", List.of(), EARLIER);
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), old.mentionsOrNone());
        org.junit.jupiter.api.Assertions.assertNull(old.replyTo());
    }
}
