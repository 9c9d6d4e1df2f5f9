package io.parley.command.user;

import io.parley.api.error.ConflictException;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.user.UserCommands.ChangeDisplayName;
import io.parley.api.user.UserCommands.RegisterUser;
import io.parley.api.user.UserEvents.DisplayNameChanged;
import io.parley.api.user.UserEvents.UserRegistered;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.hamcrest.Matchers.containsString;

class UserTest {

    private static final String ID = "u-1";
    private static final Instant EARLIER = Instant.parse("2024-05-01T10:15:30Z");

    private AggregateTestFixture<User> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(User.class);
    }

    private static UserRegistered aliceRegistered() {
        return new UserRegistered(ID, "alice.w", "Alice W", EARLIER);
    }

    @Test
    void registeringAUserStoresTheUsernameInLowerCase() {
        fixture.givenNoPriorActivity()
                .when(new RegisterUser(ID, "Alice.W", " Alice W "))
                .expectEvents(new UserRegistered(ID, "alice.w", "Alice W", fixture.currentTime()));
    }

    @Test
    void registeringTheSameUserAgainWithTheSameDetailsEmitsNothing() {
        fixture.given(aliceRegistered())
                .when(new RegisterUser(ID, "ALICE.W", "Alice W"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void registeringAUserIdAgainWithOtherDetailsIsAConflict() {
        fixture.given(aliceRegistered())
                .when(new RegisterUser(ID, "alice.w", "Alice Walker"))
                .expectException(ConflictException.class)
                .expectExceptionMessage("user u-1 is already registered with other details");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "ab", "abcdefghij_abcdefghij_abcdefghij_", "alice w", "alice!", "élise"})
    void aUsernameHasThreeToThirtyTwoLettersDigitsUnderscoresDotsOrDashes(String username) {
        fixture.givenNoPriorActivity()
                .when(new RegisterUser(ID, username, "Someone"))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("a username has 3 to 32 characters"));
    }

    @Test
    void aUsernameOfThirtyTwoAllowedCharactersIsAccepted() {
        String longest = "a_b.c-d0123456789".concat("x".repeat(15));
        fixture.givenNoPriorActivity()
                .when(new RegisterUser(ID, longest, "Someone"))
                .expectEvents(new UserRegistered(ID, longest, "Someone", fixture.currentTime()));
    }

    @Test
    void aDisplayNameNeedsAVisibleCharacter() {
        fixture.givenNoPriorActivity()
                .when(new RegisterUser(ID, "alice", "   "))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("a display name needs at least one visible character");
    }

    @Test
    void aDisplayNameHasAtMostSixtyFourCharacters() {
        fixture.given(aliceRegistered())
                .when(new ChangeDisplayName(ID, "x".repeat(65)))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage("a display name may have at most 64 characters");
    }

    @Test
    void changingTheDisplayNameRecordsTheNewName() {
        fixture.given(aliceRegistered())
                .when(new ChangeDisplayName(ID, "Ally"))
                .expectEvents(new DisplayNameChanged(ID, "Ally", fixture.currentTime()));
    }

    @Test
    void changingTheDisplayNameToTheCurrentOneEmitsNothing() {
        fixture.given(aliceRegistered())
                .when(new ChangeDisplayName(ID, "Alice W "))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void anUnknownUserHasNoDisplayNameToChange() {
        fixture.givenNoPriorActivity()
                .when(new ChangeDisplayName(ID, "Ally"))
                .expectException(AggregateNotFoundException.class);
    }
}
