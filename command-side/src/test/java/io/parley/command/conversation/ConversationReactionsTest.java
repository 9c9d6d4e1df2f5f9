package io.parley.command.conversation;

import io.parley.api.conversation.ConversationCommands.AddReaction;
import io.parley.api.conversation.ConversationCommands.RemoveReaction;
import io.parley.api.conversation.ConversationEvents.MessageDeleted;
import io.parley.api.conversation.ConversationEvents.ReactionAdded;
import io.parley.api.conversation.ConversationEvents.ReactionRemoved;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.temporal.ChronoUnit;

import static io.parley.command.conversation.ConversationTestData.ALICE;
import static io.parley.command.conversation.ConversationTestData.BOB;
import static io.parley.command.conversation.ConversationTestData.CAROL;
import static io.parley.command.conversation.ConversationTestData.DAVE;
import static io.parley.command.conversation.ConversationTestData.EARLIER;
import static io.parley.command.conversation.ConversationTestData.GROUP;
import static io.parley.command.conversation.ConversationTestData.messageId;
import static io.parley.command.conversation.ConversationTestData.sent;
import static io.parley.command.conversation.ConversationTestData.teamCreated;
import static org.hamcrest.Matchers.containsString;

/** Reactions: one per emoji per user, repeats are not errors, members only, a single emoji. */
class ConversationReactionsTest {

    private static final String THUMBS = "\uD83D\uDC4D";
    private static final String HEART = "\u2764\uFE0F";

    private AggregateTestFixture<Conversation> fixture;

    @BeforeEach
    void setUp() {
        fixture = ConversationTestData.fixture();
    }

    private static ReactionAdded added(long seq, String user, String emoji, long version) {
        return new ReactionAdded(GROUP, messageId(seq), seq, user, emoji, version, EARLIER);
    }

    @Test
    void aMemberReactsAndTheChangeTakesTheNextReactionVersion() {
        fixture.given(teamCreated(), sent(1, BOB), added(1, CAROL, HEART, 1))
                .when(new AddReaction(GROUP, ALICE, 1, THUMBS))
                .expectEvents(new ReactionAdded(GROUP, messageId(1), 1, ALICE, THUMBS, 2,
                        fixture.currentTime().truncatedTo(ChronoUnit.MILLIS)));
    }

    @Test
    void reactingTwiceWithTheSameEmojiIsARepeat() {
        fixture.given(teamCreated(), sent(1, BOB), added(1, ALICE, THUMBS, 1))
                .when(new AddReaction(GROUP, ALICE, 1, THUMBS))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void anotherEmojiFromTheSameUserIsAnotherReaction() {
        fixture.given(teamCreated(), sent(1, BOB), added(1, ALICE, THUMBS, 1))
                .when(new AddReaction(GROUP, ALICE, 1, HEART))
                .expectEvents(new ReactionAdded(GROUP, messageId(1), 1, ALICE, HEART, 2,
                        fixture.currentTime().truncatedTo(ChronoUnit.MILLIS)));
    }

    @Test
    void removingAReactionTakesTheNextVersion() {
        fixture.given(teamCreated(), sent(1, BOB), added(1, ALICE, THUMBS, 1))
                .when(new RemoveReaction(GROUP, ALICE, 1, THUMBS))
                .expectEvents(new ReactionRemoved(GROUP, messageId(1), 1, ALICE, THUMBS, 2,
                        fixture.currentTime().truncatedTo(ChronoUnit.MILLIS)));
    }

    @Test
    void removingAReactionThatIsNotThereIsARepeat() {
        fixture.given(teamCreated(), sent(1, BOB), added(1, CAROL, THUMBS, 1))
                .when(new RemoveReaction(GROUP, ALICE, 1, THUMBS))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aNonMemberMayNotReact() {
        fixture.given(teamCreated(), sent(1, BOB))
                .when(new AddReaction(GROUP, DAVE, 1, THUMBS))
                .expectException(ForbiddenException.class);
    }

    @Test
    void aReactionToAMessageThatDoesNotExistIsNotFound() {
        fixture.given(teamCreated(), sent(1, BOB))
                .when(new AddReaction(GROUP, ALICE, 2, THUMBS))
                .expectException(NotFoundException.class);
    }

    @Test
    void aDeletedMessageTakesNoReactions() {
        fixture.given(teamCreated(), sent(1, BOB), new MessageDeleted(GROUP, messageId(1), 1, BOB, EARLIER))
                .when(new AddReaction(GROUP, ALICE, 1, THUMBS))
                .expectException(NotFoundException.class);
    }

    @Test
    void aReactionMustBeASingleEmojiNotText() {
        fixture.given(teamCreated(), sent(1, BOB))
                .when(new AddReaction(GROUP, ALICE, 1, "ok"))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("single emoji"));
    }

    @Test
    void twoEmojiAreNotOneReaction() {
        fixture.given(teamCreated(), sent(1, BOB))
                .when(new AddReaction(GROUP, ALICE, 1, THUMBS + THUMBS))
                .expectException(InvalidCommandException.class);
    }
}
