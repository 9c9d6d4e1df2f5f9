package io.parley.command.conversation;

import io.parley.api.conversation.ConversationCommands.DeleteMessage;
import io.parley.api.conversation.ConversationCommands.EditMessage;
import io.parley.api.conversation.ConversationCommands.OpenDirectConversation;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationCommands.SendResult;
import io.parley.api.conversation.ConversationEvents.MessageDeleted;
import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.MemberRole;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.parley.command.conversation.ConversationTestData.ALICE;
import static io.parley.command.conversation.ConversationTestData.BOB;
import static io.parley.command.conversation.ConversationTestData.CAROL;
import static io.parley.command.conversation.ConversationTestData.DAVE;
import static io.parley.command.conversation.ConversationTestData.DIRECT;
import static io.parley.command.conversation.ConversationTestData.EARLIER;
import static io.parley.command.conversation.ConversationTestData.GROUP;
import static io.parley.command.conversation.ConversationTestData.aliceAndBobOpened;
import static io.parley.command.conversation.ConversationTestData.matching;
import static io.parley.command.conversation.ConversationTestData.messageId;
import static io.parley.command.conversation.ConversationTestData.promoted;
import static io.parley.command.conversation.ConversationTestData.sent;
import static io.parley.command.conversation.ConversationTestData.teamCreated;
import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.messageWithPayload;
import static org.hamcrest.Matchers.containsString;

/** Sending, the idempotent retry, editing and deleting. */
class ConversationMessagesTest {

    private AggregateTestFixture<Conversation> fixture;

    @BeforeEach
    void setUp() {
        fixture = ConversationTestData.fixture();
    }

    private List<Object> teamWithMessages(int count) {
        List<Object> events = new ArrayList<>();
        events.add(teamCreated());
        for (long seq = 1; seq <= count; seq++) {
            events.add(sent(seq, seq % 2 == 0 ? BOB : CAROL));
        }
        return events;
    }

    private static boolean isFreshUuid(String messageId, Set<String> taken) {
        return UUID.fromString(messageId).toString().equals(messageId) && !taken.contains(messageId);
    }

    // --- sending -------------------------------------------------------------------------------------------

    @Test
    void aSentMessageGetsTheNextSeqAFreshMessageIdAndTheCurrentTime() {
        Set<String> earlierIds = Set.of(messageId(1), messageId(2));
        fixture.given(teamWithMessages(2))
                .when(new SendMessage(GROUP, ALICE, "c-alice-1", "Hi all"))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching(
                        "seq 3 from alice with a fresh id, sent now", MessageSent.class,
                        sent -> sent.conversationId().equals(GROUP) && sent.seq() == 3
                                && sent.senderId().equals(ALICE) && sent.clientMsgId().equals("c-alice-1")
                                && sent.text().equals("Hi all") && sent.attachments().isEmpty()
                                && sent.sentAt().equals(fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                                && isFreshUuid(sent.messageId(), earlierIds))), andNoMore()))
                .expectResultMessagePayloadMatching(matching("seq 3, sent now", SendResult.class,
                        result -> result.conversationId().equals(GROUP) && result.seq() == 3
                                && result.sentAt().equals(fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                                && isFreshUuid(result.messageId(), earlierIds)));
    }

    @Test
    void seqsStartAtOneAndRunWithoutGaps() {
        fixture.givenCommands(new OpenDirectConversation(DIRECT, ALICE, BOB),
                        new SendMessage(DIRECT, ALICE, "a-1", "one"),
                        new SendMessage(DIRECT, BOB, "b-1", "two"))
                .when(new SendMessage(DIRECT, ALICE, "a-2", "three"))
                .expectResultMessagePayloadMatching(matching("with seq 3", SendResult.class,
                        result -> result.seq() == 3));
    }

    @Test
    void aRetriedSendReturnsTheOriginalSeqAndEmitsNothing() {
        MessageSent original = sent(1, BOB);
        fixture.given(teamCreated(), original, sent(2, CAROL))
                .when(new SendMessage(GROUP, BOB, original.clientMsgId(), "hello again"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents()
                .expectResultMessagePayload(new SendResult(GROUP, messageId(1), 1, EARLIER.plusSeconds(1)));
    }

    @Test
    void theSameClientMsgIdFromAnotherSenderIsANewMessage() {
        MessageSent bobs = sent(1, BOB);
        fixture.given(teamCreated(), bobs)
                .when(new SendMessage(GROUP, CAROL, bobs.clientMsgId(), "mine"))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("seq 2 from carol",
                        MessageSent.class, sent -> sent.seq() == 2 && sent.senderId().equals(CAROL))), andNoMore()));
    }

    @Test
    void aRetryIsRecognisedWhileItsSendIsAmongTheLast1024() {
        List<Object> history = teamWithMessages(RecentSends.CAPACITY);
        fixture.given(history)
                .when(new SendMessage(GROUP, CAROL, "c-1", "first, again"))
                .expectNoEvents()
                .expectResultMessagePayload(new SendResult(GROUP, messageId(1), 1, EARLIER.plusSeconds(1)));
    }

    @Test
    void aRetryOlderThanTheLast1024SendsIsANewMessage() {
        List<Object> history = teamWithMessages(RecentSends.CAPACITY + 1);
        fixture.given(history)
                .when(new SendMessage(GROUP, CAROL, "c-1", "first, again"))
                .expectResultMessagePayloadMatching(matching("a new seq", SendResult.class,
                        result -> result.seq() == RecentSends.CAPACITY + 2));
    }

    @Test
    void onlyMembersMaySend() {
        fixture.given(teamCreated())
                .when(new SendMessage(GROUP, DAVE, "d-1", "let me in"))
                .expectException(ForbiddenException.class)
                .expectExceptionMessage("only members may send messages to this conversation");
    }

    @Test
    void aMessageNeedsVisibleText() {
        fixture.given(teamCreated())
                .when(new SendMessage(GROUP, BOB, "b-1", " \n\t "))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("a message needs some text");
    }

    @Test
    void aMessageMayNotExceedTheMaximumTextLength() {
        fixture = ConversationTestData.fixture(new ConversationPolicy(10, 1_000, 10_000));
        fixture.given(teamCreated())
                .when(new SendMessage(GROUP, BOB, "b-1", "12345678901"))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("a message may have at most 10 characters, this one has 11");
    }

    @Test
    void theTextLengthCountsCharactersNotUtf16Units() {
        fixture = ConversationTestData.fixture(new ConversationPolicy(10, 1_000, 10_000));
        fixture.given(teamCreated())
                .when(new SendMessage(GROUP, BOB, "b-1", "\uD83D\uDE00".repeat(10)))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("seq 1", MessageSent.class,
                        sent -> sent.seq() == 1)), andNoMore()));
    }

    @Test
    void aSendNeedsAClientMsgId() {
        fixture.given(teamCreated())
                .when(new SendMessage(GROUP, BOB, " ", "hello"))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("clientMsgId is required");
    }

    // --- editing -------------------------------------------------------------------------------------------

    @Test
    void theSenderMayEditTheirMessage() {
        fixture.given(teamWithMessages(3))
                .when(new EditMessage(GROUP, BOB, 2, "fixed"))
                .expectEvents(new MessageEdited(GROUP, messageId(2), 2, BOB, "fixed", fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void nobodyButTheSenderMayEditAMessageNotEvenTheOwner() {
        fixture.given(teamWithMessages(3))
                .when(new EditMessage(GROUP, ALICE, 2, "improved"))
                .expectException(ForbiddenException.class)
                .expectExceptionMessage("only the sender may edit a message");
    }

    @Test
    void editingAMessageThatDoesNotExistIsNotFound() {
        fixture.given(teamWithMessages(3))
                .when(new EditMessage(GROUP, BOB, 4, "from the future"))
                .expectException(NotFoundException.class)
                .expectExceptionMessage("there is no message 4 in this conversation");
    }

    @Test
    void aDeletedMessageCannotBeEdited() {
        List<Object> history = teamWithMessages(3);
        history.add(new MessageDeleted(GROUP, messageId(2), 2, BOB, EARLIER));
        fixture.given(history)
                .when(new EditMessage(GROUP, BOB, 2, "never mind"))
                .expectException(NotFoundException.class)
                .expectExceptionMessage("message 2 has been deleted");
    }

    @Test
    void anEditNeedsVisibleText() {
        fixture.given(teamWithMessages(3))
                .when(new EditMessage(GROUP, BOB, 2, ""))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("a message needs some text");
    }

    @Test
    void theLastMessagesWithinTheEditWindowMayBeEdited() {
        fixture = ConversationTestData.fixture(new ConversationPolicy(4_000, 1_000, 2));
        fixture.given(teamWithMessages(3))
                .when(new EditMessage(GROUP, BOB, 2, "still in time"))
                .expectEvents(new MessageEdited(GROUP, messageId(2), 2, BOB, "still in time", fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void aMessageOlderThanTheEditWindowIsTooOldToEdit() {
        fixture = ConversationTestData.fixture(new ConversationPolicy(4_000, 1_000, 2));
        fixture.given(teamWithMessages(3))
                .when(new EditMessage(GROUP, CAROL, 1, "too late"))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("message 1 is too old to edit"));
    }

    @Test
    void withTheDefaultPolicyTheTenThousandMostRecentMessagesMayBeEditedAndNoOlderOne() {
        List<Object> history = teamWithMessages(MessageWindow.CAPACITY + 1);
        fixture.given(history)
                .when(new EditMessage(GROUP, CAROL, 1, "too late"))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("message 1 is too old to edit"));
        ConversationTestData.fixture().given(history)
                .when(new EditMessage(GROUP, BOB, 2, "just in time"))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("an edit of message 2",
                        MessageEdited.class, edited -> edited.seq() == 2 && edited.messageId().equals(messageId(2)))),
                        andNoMore()));
    }

    // --- deleting ------------------------------------------------------------------------------------------

    @Test
    void theSenderMayDeleteTheirMessage() {
        fixture.given(teamWithMessages(3))
                .when(new DeleteMessage(GROUP, CAROL, 3))
                .expectEvents(new MessageDeleted(GROUP, messageId(3), 3, CAROL, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void anAdminMayDeleteAnyonesMessageInAGroup() {
        List<Object> history = teamWithMessages(3);
        history.add(promoted(BOB, MemberRole.ADMIN));
        fixture.given(history)
                .when(new DeleteMessage(GROUP, BOB, 3))
                .expectEvents(new MessageDeleted(GROUP, messageId(3), 3, BOB, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void aPlainMemberMayNotDeleteAnothersMessage() {
        fixture.given(teamWithMessages(3))
                .when(new DeleteMessage(GROUP, BOB, 3))
                .expectException(ForbiddenException.class)
                .expectExceptionMessage("only the sender, an owner or an admin may delete a message");
    }

    @Test
    void inADirectConversationOnlyTheSenderMayDelete() {
        fixture.given(aliceAndBobOpened(), sent(DIRECT, 1, ALICE))
                .when(new DeleteMessage(DIRECT, BOB, 1))
                .expectException(ForbiddenException.class)
                .expectExceptionMessage("only the sender may delete a message");
    }

    @Test
    void deletingADeletedMessageEmitsNothing() {
        List<Object> history = teamWithMessages(3);
        history.add(new MessageDeleted(GROUP, messageId(3), 3, ALICE, EARLIER));
        fixture.given(history)
                .when(new DeleteMessage(GROUP, CAROL, 3))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aMessageOlderThanTheEditWindowIsTooOldToDelete() {
        fixture = ConversationTestData.fixture(new ConversationPolicy(4_000, 1_000, 2));
        fixture.given(teamWithMessages(3))
                .when(new DeleteMessage(GROUP, CAROL, 1))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("message 1 is too old to delete"));
    }

    @Test
    void onlyMembersMayEditOrDelete() {
        fixture.given(teamWithMessages(3))
                .when(new DeleteMessage(GROUP, DAVE, 3))
                .expectException(ForbiddenException.class)
                .expectNoEvents();
    }
}
