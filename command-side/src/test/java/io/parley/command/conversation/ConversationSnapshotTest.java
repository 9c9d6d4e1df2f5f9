package io.parley.command.conversation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.parley.api.conversation.ConversationCommands.AddMember;
import io.parley.api.conversation.ConversationCommands.EditMessage;
import io.parley.api.conversation.ConversationCommands.MarkRead;
import io.parley.api.conversation.ConversationCommands.RemoveMember;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationCommands.SendResult;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MemberRoleChanged;
import io.parley.api.conversation.ConversationEvents.MessageDeleted;
import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.conversation.MemberRole;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.NotFoundException;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.parley.command.conversation.ConversationTestData.ALICE;
import static io.parley.command.conversation.ConversationTestData.BOB;
import static io.parley.command.conversation.ConversationTestData.CAROL;
import static io.parley.command.conversation.ConversationTestData.DAVE;
import static io.parley.command.conversation.ConversationTestData.EARLIER;
import static io.parley.command.conversation.ConversationTestData.GROUP;
import static io.parley.command.conversation.ConversationTestData.added;
import static io.parley.command.conversation.ConversationTestData.messageId;
import static io.parley.command.conversation.ConversationTestData.promoted;
import static io.parley.command.conversation.ConversationTestData.sent;
import static io.parley.command.conversation.ConversationTestData.teamCreated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.messageWithPayload;

/**
 * A snapshot is the aggregate written by Axon's {@link JacksonSerializer}: what it restores must behave like the
 * aggregate it was taken from — members, roles, cursors, the idempotency window and the message window included.
 */
class ConversationSnapshotTest {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private final JacksonSerializer serializer = JacksonSerializer.builder().objectMapper(json).build();

    private Conversation original;
    private Conversation restored;

    @BeforeEach
    void snapshotABusyGroup() {
        original = new Conversation();
        original.on(teamCreated());
        original.on(added(DAVE));
        original.on(promoted(BOB, MemberRole.ADMIN));
        for (long seq = 1; seq <= 2_000; seq++) {
            original.on(sent(seq, seq % 3 == 0 ? ALICE : CAROL));
        }
        original.on(new MessagesRead(GROUP, DAVE, 1_500, EARLIER));
        original.on(new MessageDeleted(GROUP, messageId(1_999), 1_999, CAROL, EARLIER));
        original.on(new MemberLeft(GROUP, ALICE, EARLIER));
        original.on(new MemberRoleChanged(GROUP, BOB, MemberRole.OWNER, EARLIER));

        SerializedObject<byte[]> snapshot = serializer.serialize(original, byte[].class);
        restored = serializer.deserialize(snapshot);
    }

    @Test
    void aRestoredSnapshotSerialisesExactlyAsTheOriginal() throws Exception {
        JsonNode before = json.readTree(serializer.serialize(original, byte[].class).getData());
        JsonNode after = json.readTree(serializer.serialize(restored, byte[].class).getData());

        assertThat(after).isEqualTo(before);
        assertThat(before.get("members").properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly(BOB, CAROL, DAVE);
        assertThat(before.get("recentSends").get("seqs")).hasSize(RecentSends.CAPACITY);
        assertThat(before.get("lastSeq").asLong()).isEqualTo(2_000);
    }

    @Test
    void aRestoredSnapshotStaysSmall() throws Exception {
        byte[] data = serializer.serialize(original, byte[].class).getData();
        // 2,000 messages: about 25 bytes each in the message window, plus 1,024 remembered sends in columns (about
        // 60 bytes each with their clientMsgId; about 140 each as the list of objects written before issue 17)
        assertThat(data.length).isLessThan(120_000);
    }

    @Test
    void aSnapshotTakenBeforeTheColumnsStillAnswersARetryWithTheOriginalResult() throws Exception {
        // before issue 17 the idempotency window was written as a list of one object per send (the tree keeps the
        // times' nanoseconds as decimals, as the bytes of a snapshot do)
        ObjectMapper exact = json.copy().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        ObjectNode tree = (ObjectNode) exact.readTree(serializer.serialize(original, byte[].class).getData());
        RecentSends window = exact.treeToValue(tree.get("recentSends"), RecentSends.class);
        tree.set("recentSends", exact.valueToTree(window.oldestFirst()));
        assertThat(tree.get("recentSends").get(0).get("clientMsgId").asText()).isEqualTo("c-977");
        Conversation fromListForm = exact.treeToValue(tree, Conversation.class);

        ConversationTestData.fixture().givenState(() -> fromListForm)
                .when(new SendMessage(GROUP, CAROL, "c-2000", "again"))
                .expectNoEvents()
                .expectResultMessagePayload(new SendResult(GROUP, messageId(2_000), 2_000, EARLIER.plusSeconds(2_000)));
        assertThat(json.readTree(serializer.serialize(fromListForm, byte[].class).getData()))
                .as("written again in columns, equal to the original's")
                .isEqualTo(json.readTree(serializer.serialize(original, byte[].class).getData()));
    }

    @Test
    void aRestoredSnapshotStillAnswersARetryWithTheOriginalResult() {
        ConversationTestData.fixture().givenState(() -> restored)
                .when(new SendMessage(GROUP, CAROL, "c-2000", "again"))
                .expectNoEvents()
                .expectResultMessagePayload(new SendResult(GROUP, messageId(2_000), 2_000, EARLIER.plusSeconds(2_000)));
    }

    @Test
    void aRestoredSnapshotStillKnowsWhoSentAMessage() {
        // message 999 is Alice's, message 1,000 Carol's
        ConversationTestData.fixture().givenState(() -> restored)
                .when(new EditMessage(GROUP, CAROL, 999, "edited"))
                .expectException(ForbiddenException.class);
    }

    @Test
    void aRestoredSnapshotStillKnowsWhichMessagesAreDeleted() {
        ConversationTestData.fixture().givenState(() -> restored)
                .when(new EditMessage(GROUP, CAROL, 1_999, "edited"))
                .expectException(NotFoundException.class);
    }

    @Test
    void aRestoredSnapshotStillKnowsRolesAndMembers() {
        ConversationTestData.fixture().givenState(() -> restored)
                .when(new RemoveMember(GROUP, BOB, CAROL))
                .expectSuccessfulHandlerExecution();
        ConversationTestData.fixture().givenState(() -> restored)
                .when(new AddMember(GROUP, ALICE, "erin"))
                .expectException(ForbiddenException.class);
    }

    @Test
    void aRestoredSnapshotStillKnowsTheCursors() {
        ConversationTestData.fixture().givenState(() -> restored)
                .when(new MarkRead(GROUP, DAVE, 1_500))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aRestoredSnapshotContinuesTheSeq() {
        ConversationTestData.fixture().givenState(() -> restored)
                .when(new SendMessage(GROUP, DAVE, "d-1", "next"))
                .expectResultMessagePayloadMatching(ConversationTestData.matching("with seq 2001", SendResult.class,
                        result -> result.seq() == 2_001));
    }

    @Test
    void aRestoredSnapshotStillKnowsMessageIds() {
        ConversationTestData.fixture().givenState(() -> restored)
                .when(new EditMessage(GROUP, CAROL, 1_000, "edited"))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(ConversationTestData.matching(
                        "an edit of message 1000", MessageEdited.class,
                        edited -> edited.messageId().equals(messageId(1_000)))), andNoMore()));
    }
}
