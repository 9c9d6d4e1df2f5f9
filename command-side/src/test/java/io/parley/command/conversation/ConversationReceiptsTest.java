package io.parley.command.conversation;

import io.parley.api.conversation.ConversationCommands.MarkDelivered;
import io.parley.api.conversation.ConversationCommands.MarkRead;
import io.parley.api.conversation.ConversationEvents.MessagesDelivered;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.TestExecutor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.parley.command.conversation.ConversationTestData.ALICE;
import static io.parley.command.conversation.ConversationTestData.BOB;
import static io.parley.command.conversation.ConversationTestData.CAROL;
import static io.parley.command.conversation.ConversationTestData.DAVE;
import static io.parley.command.conversation.ConversationTestData.EARLIER;
import static io.parley.command.conversation.ConversationTestData.GROUP;
import static io.parley.command.conversation.ConversationTestData.sent;
import static io.parley.command.conversation.ConversationTestData.teamCreated;

/** Delivered and read cursors: members only, forward only, within the conversation. */
class ConversationReceiptsTest {

    private AggregateTestFixture<Conversation> fixture;
    private TestExecutor<Conversation> given;

    @BeforeEach
    void setUp() {
        fixture = ConversationTestData.fixture();
        // three messages; Bob has them delivered up to 1 and read up to nothing
        given = fixture.given(teamCreated(), sent(1, ALICE), sent(2, CAROL), sent(3, ALICE),
                new MessagesDelivered(GROUP, BOB, 1, EARLIER));
    }

    @Test
    void markingDeliveredMovesTheDeliveredCursorForward() {
        given
                .when(new MarkDelivered(GROUP, BOB, 3))
                .expectEvents(new MessagesDelivered(GROUP, BOB, 3, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void aDeliveredCursorThatWouldNotMoveForwardEmitsNothing() {
        given
                .when(new MarkDelivered(GROUP, BOB, 1))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void markingReadMovesTheReadCursorForward() {
        given
                .when(new MarkRead(GROUP, BOB, 2))
                .expectEvents(new MessagesRead(GROUP, BOB, 2, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void aReadCursorThatWouldMoveBackEmitsNothing() {
        given.andGiven(new MessagesRead(GROUP, BOB, 3, EARLIER))
                .when(new MarkRead(GROUP, BOB, 2))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void readingImpliesDelivered() {
        given.andGiven(new MessagesRead(GROUP, BOB, 3, EARLIER))
                .when(new MarkDelivered(GROUP, BOB, 3))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void cursorsArePerMember() {
        given.andGiven(new MessagesRead(GROUP, BOB, 3, EARLIER))
                .when(new MarkRead(GROUP, CAROL, 3))
                .expectEvents(new MessagesRead(GROUP, CAROL, 3, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void aCursorCannotPassTheLastMessage() {
        given
                .when(new MarkRead(GROUP, BOB, 4))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("upToSeq 4 is beyond the last message (3)");
    }

    @Test
    void aCursorPointsAtAMessageFromSeqOneOn() {
        given
                .when(new MarkDelivered(GROUP, BOB, 0))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("upToSeq must be at least 1, was 0");
    }

    @Test
    void onlyMembersHaveCursors() {
        given
                .when(new MarkRead(GROUP, DAVE, 1))
                .expectException(ForbiddenException.class)
                .expectNoEvents();
    }
}
