package io.parley.command.user;

import io.parley.api.error.InvalidCommandException;
import io.parley.api.user.UserCommands.BlockUser;
import io.parley.api.user.UserCommands.UnblockUser;
import io.parley.api.user.UserEvents.UserBlocked;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.api.user.UserEvents.UserUnblocked;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Blocking: one user's block list, repeats are not errors. */
class UserBlockingTest {

    private static final Instant EARLIER = Instant.parse("2024-05-01T10:15:30Z");

    private AggregateTestFixture<User> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(User.class);
    }

    private static UserRegistered alice() {
        return new UserRegistered("alice", "alice", "Alice", EARLIER);
    }

    private Instant now() {
        return fixture.currentTime().truncatedTo(ChronoUnit.MILLIS);
    }

    @Test
    void aUserBlocksAnother() {
        fixture.given(alice())
                .when(new BlockUser("alice", "bob"))
                .expectEvents(new UserBlocked("alice", "bob", now()));
    }

    @Test
    void blockingSomeoneAlreadyBlockedIsARepeat() {
        fixture.given(alice(), new UserBlocked("alice", "bob", EARLIER))
                .when(new BlockUser("alice", "bob"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aUserCannotBlockThemself() {
        fixture.given(alice())
                .when(new BlockUser("alice", "alice"))
                .expectException(InvalidCommandException.class);
    }

    @Test
    void unblockingLiftsTheBlock() {
        fixture.given(alice(), new UserBlocked("alice", "bob", EARLIER))
                .when(new UnblockUser("alice", "bob"))
                .expectEvents(new UserUnblocked("alice", "bob", now()));
    }

    @Test
    void unblockingSomeoneNotBlockedIsARepeat() {
        fixture.given(alice(), new UserBlocked("alice", "bob", EARLIER), new UserUnblocked("alice", "bob", EARLIER))
                .when(new UnblockUser("alice", "bob"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aUserMayBlockAtMostTheLimit() {
        Object[] events = new Object[User.MAX_BLOCKED + 1];
        events[0] = alice();
        for (int i = 1; i <= User.MAX_BLOCKED; i++) {
            events[i] = new UserBlocked("alice", "u-" + i, EARLIER);
        }
        fixture.given(events)
                .when(new BlockUser("alice", "one-more"))
                .expectException(InvalidCommandException.class);
    }
}
