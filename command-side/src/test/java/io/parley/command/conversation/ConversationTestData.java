package io.parley.command.conversation;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberAdded;
import io.parley.api.conversation.ConversationEvents.MemberRoleChanged;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationIds;
import io.parley.api.conversation.MemberRole;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.BaseMatcher;
import org.hamcrest.Description;
import org.hamcrest.Matcher;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/** People, conversations and events the conversation tests share. */
final class ConversationTestData {

    static final String ALICE = "alice";
    static final String BOB = "bob";
    static final String CAROL = "carol";
    static final String DAVE = "dave";
    static final String GROUP = "g-team";
    static final String DIRECT = ConversationIds.direct(ALICE, BOB);
    static final Instant EARLIER = Instant.parse("2024-05-01T10:15:30.123456789Z");

    private ConversationTestData() {
    }

    static AggregateTestFixture<Conversation> fixture(ConversationPolicy policy) {
        AggregateTestFixture<Conversation> fixture = new AggregateTestFixture<>(Conversation.class);
        fixture.registerInjectableResource(policy);
        return fixture;
    }

    static AggregateTestFixture<Conversation> fixture() {
        return fixture(ConversationPolicy.DEFAULTS);
    }

    /** Alice owns the group; Bob and Carol are members, Bob the longer standing. */
    static GroupCreated teamCreated() {
        return new GroupCreated(GROUP, "Team", ALICE, List.of(new Member(ALICE, MemberRole.OWNER),
                new Member(BOB, MemberRole.MEMBER), new Member(CAROL, MemberRole.MEMBER)), EARLIER);
    }

    static DirectConversationOpened aliceAndBobOpened() {
        return new DirectConversationOpened(DIRECT, List.of(ALICE, BOB), ALICE, EARLIER);
    }

    static MemberRoleChanged promoted(String userId, MemberRole role) {
        return new MemberRoleChanged(GROUP, userId, role, EARLIER);
    }

    static MemberAdded added(String userId) {
        return new MemberAdded(GROUP, userId, MemberRole.MEMBER, ALICE, EARLIER);
    }

    /** Message {@code seq} of the group, sent by {@code senderId} with clientMsgId "c-SEQ". */
    static MessageSent sent(long seq, String senderId) {
        return sent(GROUP, seq, senderId);
    }

    static MessageSent sent(String conversationId, long seq, String senderId) {
        return new MessageSent(conversationId, messageId(seq), seq, senderId, "c-" + seq, "hello " + seq, List.of(),
                EARLIER.plusSeconds(seq), List.of(), null);
    }

    /** A recognisable, canonical UUID per seq, as the aggregate issues. */
    static String messageId(long seq) {
        return new UUID(0xABCDL, seq).toString();
    }

    static <T> Matcher<T> matching(String description, Class<T> type, Predicate<T> predicate) {
        return new BaseMatcher<>() {
            @Override
            public boolean matches(Object item) {
                return type.isInstance(item) && predicate.test(type.cast(item));
            }

            @Override
            public void describeTo(Description out) {
                out.appendText(type.getSimpleName() + " " + description);
            }
        };
    }
}
