package io.parley.command.conversation;

import io.parley.api.conversation.ConversationCommands.AddMember;
import io.parley.api.conversation.ConversationCommands.CreateGroup;
import io.parley.api.conversation.ConversationCommands.OpenDirectConversation;
import io.parley.api.conversation.ConversationCommands.RemoveMember;
import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberAdded;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MemberRemoved;
import io.parley.api.conversation.ConversationEvents.MemberRoleChanged;
import io.parley.api.conversation.ConversationIds;
import io.parley.api.conversation.MemberRole;
import io.parley.api.error.ConflictException;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.parley.command.conversation.ConversationTestData.ALICE;
import static io.parley.command.conversation.ConversationTestData.BOB;
import static io.parley.command.conversation.ConversationTestData.CAROL;
import static io.parley.command.conversation.ConversationTestData.DAVE;
import static io.parley.command.conversation.ConversationTestData.DIRECT;
import static io.parley.command.conversation.ConversationTestData.GROUP;
import static io.parley.command.conversation.ConversationTestData.aliceAndBobOpened;
import static io.parley.command.conversation.ConversationTestData.added;
import static io.parley.command.conversation.ConversationTestData.promoted;
import static io.parley.command.conversation.ConversationTestData.teamCreated;
import static org.hamcrest.Matchers.containsString;

/** Opening, creating, joining and leaving conversations. */
class ConversationMembershipTest {

    private AggregateTestFixture<Conversation> fixture;

    @BeforeEach
    void setUp() {
        fixture = ConversationTestData.fixture();
    }

    // --- direct conversations ------------------------------------------------------------------------------

    @Test
    void openingADirectConversationMakesBothUsersMembers() {
        fixture.givenNoPriorActivity()
                .when(new OpenDirectConversation(DIRECT, BOB, ALICE))
                .expectEvents(new DirectConversationOpened(DIRECT, List.of(ALICE, BOB), BOB, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void openingAnOpenDirectConversationAgainFromEitherSideEmitsNothing() {
        fixture.given(aliceAndBobOpened())
                .when(new OpenDirectConversation(DIRECT, BOB, ALICE))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aDirectConversationsIdMustBeDerivedFromItsTwoUsers() {
        String someoneElses = ConversationIds.direct(ALICE, CAROL);
        fixture.givenNoPriorActivity()
                .when(new OpenDirectConversation(someoneElses, ALICE, BOB))
                .expectException(IllegalArgumentException.class)
                .expectExceptionMessage(containsString("has the id " + DIRECT));
    }

    @Test
    void nobodyOpensADirectConversationWithThemselves() {
        fixture.givenNoPriorActivity()
                .when(new OpenDirectConversation("d-self", ALICE, ALICE))
                .expectException(InvalidCommandException.class)
                .expectNoEvents();
    }

    // --- creating groups -----------------------------------------------------------------------------------

    @Test
    void creatingAGroupMakesTheCreatorOwnerAndEachListedUserAMemberOnce() {
        fixture.givenNoPriorActivity()
                .when(new CreateGroup(GROUP, ALICE, "  Team  ", List.of(CAROL, ALICE, BOB, CAROL)))
                .expectEvents(new GroupCreated(GROUP, "Team", ALICE, List.of(new Member(ALICE, MemberRole.OWNER),
                        new Member(CAROL, MemberRole.MEMBER), new Member(BOB, MemberRole.MEMBER)),
                        fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void aGroupNeedsAName() {
        fixture.givenNoPriorActivity()
                .when(new CreateGroup(GROUP, ALICE, " \t ", List.of(BOB)))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("a group needs a name");
    }

    @Test
    void aGroupNameHasAtMostAHundredCharacters() {
        fixture.givenNoPriorActivity()
                .when(new CreateGroup(GROUP, ALICE, "x".repeat(101), List.of(BOB)))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("at most 100 characters"));
    }

    @Test
    void aNewGroupMayNotExceedTheMaximumGroupSize() {
        fixture = ConversationTestData.fixture(new ConversationPolicy(4_000, 3, 10_000));
        fixture.givenNoPriorActivity()
                .when(new CreateGroup(GROUP, ALICE, "Team", List.of(BOB, CAROL, DAVE)))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("at most 3 members"));
    }

    @Test
    void creatingTheSameGroupAgainByItsCreatorEmitsNothing() {
        fixture.given(teamCreated())
                .when(new CreateGroup(GROUP, ALICE, "Team", List.of(BOB, CAROL)))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void creatingAGroupUnderAnIdSomeoneElseCreatedIsAConflict() {
        fixture.given(teamCreated())
                .when(new CreateGroup(GROUP, DAVE, "Mine", List.of()))
                .expectException(ConflictException.class)
                .expectNoEvents();
    }

    // --- adding members ------------------------------------------------------------------------------------

    @Test
    void anOwnerMayAddAMember() {
        fixture.given(teamCreated())
                .when(new AddMember(GROUP, ALICE, DAVE))
                .expectEvents(new MemberAdded(GROUP, DAVE, MemberRole.MEMBER, ALICE, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void anAdminMayAddAMember() {
        fixture.given(teamCreated(), promoted(BOB, MemberRole.ADMIN))
                .when(new AddMember(GROUP, BOB, DAVE))
                .expectEvents(new MemberAdded(GROUP, DAVE, MemberRole.MEMBER, BOB, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void aPlainMemberMayNotAddMembers() {
        fixture.given(teamCreated())
                .when(new AddMember(GROUP, BOB, DAVE))
                .expectException(ForbiddenException.class)
                .expectExceptionMessage("only the group's owners and admins may add members");
    }

    @Test
    void addingAnExistingMemberEmitsNothing() {
        fixture.given(teamCreated())
                .when(new AddMember(GROUP, ALICE, BOB))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void nobodyIsAddedToADirectConversation() {
        fixture.given(aliceAndBobOpened())
                .when(new AddMember(DIRECT, ALICE, CAROL))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("direct conversation"));
    }

    @Test
    void aFullGroupAcceptsNoFurtherMember() {
        fixture = ConversationTestData.fixture(new ConversationPolicy(4_000, 3, 10_000));
        fixture.given(teamCreated())
                .when(new AddMember(GROUP, ALICE, DAVE))
                .expectException(ConflictException.class)
                .expectExceptionMessage(containsString("the group is full"));
    }

    // --- leaving and removing ------------------------------------------------------------------------------

    @Test
    void anyMemberMayLeave() {
        fixture.given(teamCreated())
                .when(new RemoveMember(GROUP, CAROL, CAROL))
                .expectEvents(new MemberLeft(GROUP, CAROL, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void leavingAGroupOneIsNotInEmitsNothing() {
        fixture.given(teamCreated())
                .when(new RemoveMember(GROUP, DAVE, DAVE))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void anOwnerMayRemoveAMember() {
        fixture.given(teamCreated())
                .when(new RemoveMember(GROUP, ALICE, BOB))
                .expectEvents(new MemberRemoved(GROUP, BOB, ALICE, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void anAdminMayRemoveAMember() {
        fixture.given(teamCreated(), promoted(BOB, MemberRole.ADMIN))
                .when(new RemoveMember(GROUP, BOB, CAROL))
                .expectEvents(new MemberRemoved(GROUP, CAROL, BOB, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void aPlainMemberMayNotRemoveOthers() {
        fixture.given(teamCreated())
                .when(new RemoveMember(GROUP, BOB, CAROL))
                .expectException(ForbiddenException.class)
                .expectExceptionMessage("only the group's owners and admins may remove members");
    }

    @Test
    void anAdminMayNotRemoveAnOwner() {
        fixture.given(teamCreated(), promoted(BOB, MemberRole.ADMIN))
                .when(new RemoveMember(GROUP, BOB, ALICE))
                .expectException(ForbiddenException.class)
                .expectExceptionMessage("an admin may not remove an owner");
    }

    @Test
    void removingSomeoneWhoIsNotAMemberEmitsNothing() {
        fixture.given(teamCreated())
                .when(new RemoveMember(GROUP, ALICE, DAVE))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void nobodyLeavesOrIsRemovedFromADirectConversation() {
        fixture.given(aliceAndBobOpened())
                .when(new RemoveMember(DIRECT, ALICE, ALICE))
                .expectException(InvalidCommandException.class)
                .expectNoEvents();
    }

    // --- the last owner ------------------------------------------------------------------------------------

    @Test
    void whenTheLastOwnerLeavesTheLongestStandingAdminBecomesOwner() {
        fixture.given(teamCreated(), added(DAVE), promoted(DAVE, MemberRole.ADMIN), promoted(CAROL, MemberRole.ADMIN))
                .when(new RemoveMember(GROUP, ALICE, ALICE))
                .expectEvents(new MemberLeft(GROUP, ALICE, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)),
                        new MemberRoleChanged(GROUP, CAROL, MemberRole.OWNER, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void whenTheLastOwnerLeavesAGroupWithoutAdminsTheLongestStandingMemberBecomesOwner() {
        fixture.given(new GroupCreated(GROUP, "Team", ALICE, List.of(new Member(ALICE, MemberRole.OWNER),
                        new Member(CAROL, MemberRole.MEMBER), new Member(BOB, MemberRole.MEMBER)),
                        ConversationTestData.EARLIER))
                .when(new RemoveMember(GROUP, ALICE, ALICE))
                .expectEvents(new MemberLeft(GROUP, ALICE, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)),
                        new MemberRoleChanged(GROUP, CAROL, MemberRole.OWNER, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void anOwnerLeavingWhileAnotherOwnerRemainsHandsNothingOn() {
        fixture.given(teamCreated(), promoted(BOB, MemberRole.OWNER))
                .when(new RemoveMember(GROUP, ALICE, ALICE))
                .expectEvents(new MemberLeft(GROUP, ALICE, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void theLastMemberLeavingHandsNothingOn() {
        fixture.given(new GroupCreated(GROUP, "Solo", ALICE, List.of(new Member(ALICE, MemberRole.OWNER)),
                        ConversationTestData.EARLIER))
                .when(new RemoveMember(GROUP, ALICE, ALICE))
                .expectEvents(new MemberLeft(GROUP, ALICE, fixture.currentTime().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }
}
