package io.parley.query;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.media.Attachment;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberAdded;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MemberRemoved;
import io.parley.api.conversation.ConversationEvents.MemberRoleChanged;
import io.parley.api.conversation.ConversationEvents.MessageDeleted;
import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationEvents.MessagesDelivered;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.conversation.ConversationIds;
import io.parley.api.conversation.ConversationQueries.ConversationMembers;
import io.parley.api.conversation.ConversationQueries.ConversationMembersQuery;
import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.ConversationsOfUserQuery;
import io.parley.api.conversation.ConversationQueries.MemberCursor;
import io.parley.api.conversation.ConversationQueries.MessagePage;
import io.parley.api.conversation.ConversationQueries.MessagePageQuery;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.conversation.ConversationQueries.ReceiptsQuery;
import io.parley.api.conversation.ConversationType;
import io.parley.api.conversation.MemberRole;
import io.parley.api.user.UserEvents.DisplayNameChanged;
import io.parley.api.user.UserEvents.UserBlocked;
import io.parley.api.user.UserEvents.UserUnblocked;
import io.parley.api.user.UserQueries.BlockedUser;
import io.parley.api.user.UserQueries.BlockedUsersQuery;
import io.parley.api.conversation.ConversationEvents.ReactionAdded;
import io.parley.api.conversation.ConversationEvents.ReactionRemoved;
import io.parley.api.conversation.ConversationQueries;
import io.parley.api.conversation.ConversationQueries.MessageReactions;
import io.parley.api.conversation.ConversationQueries.ReactionChangesQuery;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.SearchUsersQuery;
import io.parley.api.user.UserQueries.UserSearchPage;
import io.parley.api.user.UserQueries.UserView;
import io.parley.eventstore.erasure.ErasureKeys;
import io.parley.eventstore.erasure.TextSeal;
import io.parley.query.consistency.ConsistencyBarrier;
import io.parley.query.store.InboxStore;
import io.parley.query.store.MessageArrival;
import io.parley.query.store.MessageKey;
import org.h2.jdbcx.JdbcDataSource;
import io.parley.query.conversation.ConversationProjection;
import io.parley.query.conversation.ConversationQueryHandlers;
import io.parley.query.store.PositionStore;
import io.parley.query.store.ProjectionPosition;
import io.parley.query.store.ReadStores;
import io.parley.query.user.UserProjection;
import io.parley.query.user.UserQueryHandlers;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.ResultMessage;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.messaging.unitofwork.RollbackConfigurationType;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;


/**
 * The behaviour of the read models as a user notices it, for any {@link ReadStores} adapter. Events go through the real
 * projection classes by way of Axon's annotation adapters (so {@code @Timestamp}, {@code @SequenceNumber} and
 * {@code @ResetHandler} are exercised), and every assertion asks a question through a real query bus with the response
 * types the edge uses.
 *
 * <p>A subclass provides a fresh, empty store per test and, for transactional stores, runs each fed batch in one
 * transaction as a streaming processor would. Reusable from other modules through query-side's test-jar.
 */
public abstract class ReadModelContract {

    protected static final String ALICE = "u-alice";
    protected static final String BOB = "u-bob";
    protected static final String CAROL = "u-carol";
    protected static final String DAVE = "u-dave";

    /** A fresh, empty read store for one test. */
    protected abstract ReadStores freshStores() throws Exception;

    /** Runs one batch of projection work as a processor would; transactional adapters wrap it in one transaction. */
    protected void inBatch(Runnable batch) {
        batch.run();
    }

    private AnnotationEventHandlerAdapter conversationProjection;
    private AnnotationEventHandlerAdapter userProjection;
    private QueryGateway queries;
    private PositionStore positions;
    private final List<DomainEventMessage<?>> history = new ArrayList<>();
    private final Map<String, Long> aggregateSequence = new HashMap<>();
    private final Map<String, Long> lastSeq = new HashMap<>();
    private final Set<String> knownUsers = new LinkedHashSet<>();
    private final Set<String> knownConversations = new LinkedHashSet<>();
    private Instant clock = Instant.parse("2024-05-01T09:00:00.123Z");
    private boolean deliverTwice;

    /** The erasure keys the stores seal message text with, as the application wires them (H2 in memory). */
    private ErasureKeys erasureKeys;
    /** The adapter itself, under the sealing: what its tables or collections hold. */
    private ReadStores rawStores;

    @BeforeEach
    void wireProjectionsAndQueryBus() throws Exception {
        JdbcDataSource keyDatabase = new JdbcDataSource();
        keyDatabase.setURL("jdbc:h2:mem:keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        erasureKeys = new ErasureKeys(keyDatabase, Duration.ofSeconds(30));
        rawStores = freshStores();
        ReadStores stores = rawStores.sealedWith(new TextSeal(erasureKeys));
        conversationProjection = new AnnotationEventHandlerAdapter(new ConversationProjection(stores));
        userProjection = new AnnotationEventHandlerAdapter(new UserProjection(stores));
        positions = stores.positions();
        SimpleQueryBus bus = SimpleQueryBus.builder().build();
        // events are fed straight to the projections here, not through an event store: an empty store's head asks
        // the barrier for nothing (ConsistencyBarrierTest covers the waiting)
        ConsistencyBarrier barrier = new ConsistencyBarrier(EmbeddedEventStore.builder()
                .storageEngine(new InMemoryEventStorageEngine()).build(), stores, Duration.ofSeconds(1),
                Duration.ofMillis(100));
        new org.axonframework.queryhandling.annotation.AnnotationQueryHandlerAdapter<>(
                new ConversationQueryHandlers(stores, barrier)).subscribe(bus);
        new org.axonframework.queryhandling.annotation.AnnotationQueryHandlerAdapter<>(
                new UserQueryHandlers(stores, barrier)).subscribe(bus);
        queries = DefaultQueryGateway.builder().queryBus(bus).build();
    }

    // ---------------------------------------------------------------- erasure (issue 19, item 1)

    @Test
    void theStoreHoldsMessageTextOnlySealedAndReadersGetItPlain() {
        String team = groupOf("g-s", "S", ALICE, BOB);
        send(team, ALICE, "a word only alice wrote: quetzalcoatl");
        given(new MessageEdited(team, "m-" + team + "-1", 1, ALICE, "edited: quetzalcoatl again", tick()));
        send(team, BOB, "bob's own words");
        assertThat(page(team, null, null, 10).messages()).extracting(MessageView::text)
                .containsExactly("edited: quetzalcoatl again", "bob's own words");
        assertThat(storedTexts(team, 1, 2)).allSatisfy(stored -> assertThat(stored)
                .startsWith("enc:v1:").doesNotContain("quetzalcoatl").doesNotContain("bob's own words"));
    }

    @Test
    void afterTheSendersKeysAreErasedTheirTextReadsAsErasedAndOthersTextStays() {
        String team = groupOf("g-e", "E", ALICE, BOB);
        send(team, ALICE, "alice's secret");
        send(team, BOB, "bob stays");
        long reply = sendWith(team, BOB, "answering alice", List.of(), 1L);
        assertThat(erasureKeys.erase(ALICE)).isEqualTo(1);
        assertThat(page(team, null, null, 10).messages()).extracting(MessageView::text)
                .containsExactly(null, "bob stays", "answering alice");
        assertThat(message(team, reply).quote().excerpt()).as("the quote of an erased message").isEmpty();
        // a replay after the erasure (the projection decrypts null from the event store) keeps it erased, and text
        // still held from before the erasure is not sealed under a new key of hers
        given(new MessageEdited(team, "m-" + team + "-1", 1, ALICE, "decrypted just before the erasure", tick()));
        assertThat(message(team, 1).text()).isNull();
        assertThat(storedTexts(team, 1)).containsOnlyNulls();
    }

    /** The adapter itself, under the sealing (what its tables or collections hold). */
    protected ReadStores rawStores() {
        return rawStores;
    }

    /** The erasure keys the stores seal message text with. */
    protected ErasureKeys erasureKeys() {
        return erasureKeys;
    }

    /** The text as the adapter stores it, under the sealing. */
    private List<String> storedTexts(String conversationId, long... seqs) {
        List<MessageKey> keys = LongStream.of(seqs).mapToObj(seq -> new MessageKey(conversationId, seq)).toList();
        return rawStores.timeline().findAll(keys).stream().map(MessageView::text).toList();
    }

    // ---------------------------------------------------------------- replies, reactions, mentions, blocks

    protected static final String THUMBS = "\uD83D\uDC4D";
    protected static final String HEART = "\u2764\uFE0F";

    @Test
    void aReplyCarriesTheQuoteOfTheMessageItAnswers() {
        String team = groupOf("g-r", "R", ALICE, BOB);
        send(team, ALICE, "the original question, which is long enough to be cut ".repeat(3));
        long reply = sendWith(team, BOB, "an answer", List.of(), 1L);
        MessageView answer = message(team, reply);
        assertThat(answer.replyTo()).isEqualTo(1L);
        assertThat(answer.quote().senderId()).isEqualTo(ALICE);
        assertThat(answer.quote().deleted()).isFalse();
        assertThat(answer.quote().excerpt()).hasSize(ConversationQueries.QUOTE_LENGTH)
                .startsWith("the original question");
        assertThat(message(team, 1).replyTo()).isNull();
        assertThat(message(team, 1).quote()).isNull();
    }

    @Test
    void aQuoteFollowsAnEditAndShowsDeletedAfterADelete() {
        String team = groupOf("g-r", "R", ALICE, BOB);
        send(team, ALICE, "first words");
        long reply = sendWith(team, BOB, "an answer", List.of(), 1L);
        given(new MessageEdited(team, "m-" + team + "-1", 1, ALICE, "better words", tick()));
        assertThat(message(team, reply).quote().excerpt()).isEqualTo("better words");
        given(new MessageDeleted(team, "m-" + team + "-1", 1, ALICE, tick()));
        assertThat(message(team, reply).quote()).isEqualTo(new ConversationQueries.Quote(1, null, null, true));
    }

    @Test
    void reactionsCountPerEmojiWithWhoReactedInTheOrderTheyReactedAndATakenBackOneGoes() {
        String team = groupOf("g-x", "X", ALICE, BOB, CAROL);
        send(team, ALICE, "hello");
        String id = "m-" + team + "-1";
        given(new ReactionAdded(team, id, 1, CAROL, THUMBS, 1, tick()),
                new ReactionAdded(team, id, 1, BOB, HEART, 2, tick()),
                new ReactionAdded(team, id, 1, ALICE, THUMBS, 3, tick()));
        MessageView m = message(team, 1);
        assertThat(m.reactions()).containsExactly(
                new ConversationQueries.Reaction(THUMBS, 2, List.of(CAROL, ALICE)),
                new ConversationQueries.Reaction(HEART, 1, List.of(BOB)));
        assertThat(m.reactionVersion()).isEqualTo(3);
        given(new ReactionRemoved(team, id, 1, CAROL, THUMBS, 4, tick()));
        assertThat(message(team, 1).reactions()).as("ordered by the oldest reaction still there").containsExactly(
                new ConversationQueries.Reaction(HEART, 1, List.of(BOB)),
                new ConversationQueries.Reaction(THUMBS, 1, List.of(ALICE)));
        assertThat(summaryOf(BOB, team).reactionVersion()).isEqualTo(4);
    }

    @Test
    void reactionChangesSinceAVersionAreTheMessagesTouchedAfterItWithTheirReactionsNow() {
        String team = groupOf("g-x", "X", ALICE, BOB);
        sendMany(team, ALICE, 3);
        given(new ReactionAdded(team, "m-" + team + "-1", 1, BOB, THUMBS, 1, tick()),
                new ReactionAdded(team, "m-" + team + "-2", 2, BOB, THUMBS, 2, tick()),
                new ReactionRemoved(team, "m-" + team + "-1", 1, BOB, THUMBS, 3, tick()));
        List<MessageReactions> missed = reactionChanges(team, 1);
        assertThat(missed).extracting(MessageReactions::seq).containsExactly(2L, 1L);
        assertThat(missed.get(1).reactions()).isEmpty();
        assertThat(missed.get(1).messageId()).isEqualTo("m-" + team + "-1");
        assertThat(reactionChanges(team, 3)).isEmpty();
    }

    @Test
    void aDeletedMessageLosesItsReactionsAndMentions() {
        String team = groupOf("g-x", "X", ALICE, BOB);
        sendWith(team, ALICE, "hey @bob", List.of(BOB), null);
        given(new ReactionAdded(team, "m-" + team + "-1", 1, BOB, THUMBS, 1, tick()));
        given(new MessageDeleted(team, "m-" + team + "-1", 1, ALICE, tick()));
        MessageView m = message(team, 1);
        assertThat(m.reactions()).isEmpty();
        assertThat(m.mentions()).isEmpty();
        assertThat(summaryOf(BOB, team).unreadMentions()).isZero();
    }

    @Test
    void unreadMentionsCountTheMessagesMentioningTheUserAboveTheirReadCursor() {
        String team = groupOf("g-m", "M", ALICE, BOB, CAROL);
        sendWith(team, ALICE, "@bob one", List.of(BOB), null);
        send(team, ALICE, "no mention");
        sendWith(team, CAROL, "@bob @alice two", List.of(BOB, ALICE), null);
        assertThat(message(team, 3).mentions()).containsExactlyInAnyOrder(BOB, ALICE);
        assertThat(summaryOf(BOB, team).unreadMentions()).isEqualTo(2);
        assertThat(summaryOf(BOB, team).unread()).isEqualTo(3);
        assertThat(summaryOf(ALICE, team).unreadMentions()).isEqualTo(1);
        assertThat(summaryOf(CAROL, team).unreadMentions()).isZero();
        given(new MessagesRead(team, BOB, 2, tick()));
        assertThat(summaryOf(BOB, team).unreadMentions()).isEqualTo(1);
        send(team, ALICE, "alice speaks: she has read everything before");
        assertThat(summaryOf(ALICE, team).unreadMentions()).isZero();
        assertThat(summaryOf(BOB, team).unreadMentions()).isEqualTo(1);
    }

    @Test
    void aMemberRemovedOrLeavingAndAddedAgainHasNoUnreadMentionsFromBefore() {
        String team = groupOf("g-back", "Back", ALICE, BOB, CAROL);
        sendWith(team, ALICE, "@bob @carol before", List.of(BOB, CAROL), null);
        assertThat(summaryOf(BOB, team).unreadMentions()).isEqualTo(1);
        assertThat(summaryOf(CAROL, team).unreadMentions()).isEqualTo(1);

        given(new MemberRemoved(team, BOB, ALICE, tick()), new MemberLeft(team, CAROL, tick()));
        addMember(team, BOB, ALICE);
        addMember(team, CAROL, ALICE);
        sendWith(team, ALICE, "@bob after", List.of(BOB), null);

        assertThat(summaryOf(BOB, team).unreadMentions()).isEqualTo(1);
        assertThat(summaryOf(BOB, team).unread()).isEqualTo(1);
        assertThat(summaryOf(CAROL, team).unreadMentions()).isZero();
    }

    @Test
    void aBlockListHoldsWhoTheUserBlockedOldestFirstAndAnUnblockTakesThemOff() {
        given(new UserRegistered(ALICE, "alice", "Alice", tick()));
        Instant first = tick();
        Instant second = tick();
        given(new UserBlocked(ALICE, CAROL, first), new UserBlocked(ALICE, BOB, second),
                new UserBlocked(ALICE, CAROL, tick()));
        assertThat(blockedBy(ALICE)).containsExactly(new BlockedUser(CAROL, first), new BlockedUser(BOB, second));
        assertThat(blockedBy(BOB)).isEmpty();
        given(new UserUnblocked(ALICE, CAROL, tick()));
        assertThat(blockedBy(ALICE)).containsExactly(new BlockedUser(BOB, second));
    }

    // ---------------------------------------------------------------- positions

    @Test
    void aProjectionPositionReadsBackPerSegmentAndASaveReplacesIt() {
        assertThat(positions.of("p")).isEmpty();
        inBatch(() -> positions.save("p", new ProjectionPosition(0, 7, List.of(3L, 5L), false)));
        inBatch(() -> positions.save("p", new ProjectionPosition(1, 4, List.of(), true)));
        inBatch(() -> positions.save("other", new ProjectionPosition(0, 99, List.of(), false)));
        assertThat(positions.of("p")).containsExactly(new ProjectionPosition(0, 7, List.of(3L, 5L), false),
                new ProjectionPosition(1, 4, List.of(), true));

        inBatch(() -> positions.save("p", new ProjectionPosition(0, 12, List.of(), false)));
        assertThat(positions.of("p")).first().isEqualTo(new ProjectionPosition(0, 12, List.of(), false));
    }

    // ---------------------------------------------------------------- history

    @Test
    void withoutCursorsTheNewestPageComesInAscendingOrder() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 10);

        MessagePage page = page(c, null, null, 3);

        assertThat(seqs(page)).containsExactly(8L, 9L, 10L);
        assertThat(page.hasMore()).isTrue();
    }

    @Test
    void pagingBackwardsWithBeforeEndsWithoutMore() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 10);

        MessagePage older = page(c, 8L, null, 3);
        MessagePage oldest = page(c, 3L, null, 5);

        assertThat(seqs(older)).containsExactly(5L, 6L, 7L);
        assertThat(older.hasMore()).isTrue();
        assertThat(seqs(oldest)).containsExactly(1L, 2L);
        assertThat(oldest.hasMore()).isFalse();
    }

    @Test
    void pagingForwardsWithAfterReturnsTheOldestAboveIt() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 10);

        MessagePage next = page(c, null, 3L, 2);
        MessagePage last = page(c, null, 8L, 5);
        MessagePage exact = page(c, null, 7L, 3);

        assertThat(seqs(next)).containsExactly(4L, 5L);
        assertThat(next.hasMore()).isTrue();
        assertThat(seqs(last)).containsExactly(9L, 10L);
        assertThat(last.hasMore()).isFalse();
        assertThat(seqs(exact)).containsExactly(8L, 9L, 10L);
        assertThat(exact.hasMore()).isFalse();
    }

    @Test
    void beforeAndAfterTogetherBoundAWindowReadForwards() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 10);

        MessagePage window = page(c, 8L, 2L, 3);

        assertThat(seqs(window)).containsExactly(3L, 4L, 5L);
        assertThat(window.hasMore()).isTrue();
        assertThat(page(c, 8L, 2L, 10).hasMore()).isFalse();
    }

    @Test
    void pageSizeDefaultsToFiftyAndIsCappedAtTwoHundred() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, BOB, 205);

        MessagePage byDefault = page(c, null, null, 0);
        MessagePage capped = page(c, null, null, 10_000);

        assertThat(seqs(byDefault)).containsExactlyElementsOf(range(156, 205));
        assertThat(byDefault.hasMore()).isTrue();
        assertThat(seqs(capped)).containsExactlyElementsOf(range(6, 205));
        assertThat(capped.hasMore()).isTrue();
    }

    @Test
    void historyOfAConversationWithoutMessagesIsEmpty() {
        String c = directBetween(ALICE, BOB);

        assertThat(page(c, null, null, 20)).isEqualTo(new MessagePage(List.of(), false));
        assertThat(page("unknown", null, null, 20)).isEqualTo(new MessagePage(List.of(), false));
    }

    private static final Attachment PHOTO = Attachment.of("media-1", "beach.jpg", "image/jpeg", 123_456,
            "ab".repeat(32), 4000, 3000, true);
    private static final Attachment DOCUMENT = Attachment.of("media-2", "notes.pdf", "application/pdf", 9_999,
            "cd".repeat(32), null, null, false);

    @Test
    void aMessageReadsBackAsItWasSent() {
        String c = directBetween(ALICE, BOB);
        Instant sentAt = tick();
        given(new MessageSent(c, "m-1", 1, ALICE, "client-1", "hello bob", List.of(PHOTO, DOCUMENT), sentAt, List.of(), null));

        MessageView m = page(c, null, null, 10).messages().get(0);

        assertThat(m).isEqualTo(new MessageView(c, "m-1", 1, ALICE, "hello bob", sentAt, null, false,
                List.of(PHOTO, DOCUMENT)));
    }

    @Test
    void aMessageOfAttachmentsAloneHasNoText() {
        String c = directBetween(ALICE, BOB);
        given(new MessageSent(c, "m-1", 1, ALICE, "client-1", null, List.of(PHOTO), tick()));

        MessageView m = page(c, null, null, 10).messages().get(0);

        assertThat(m.text()).isNull();
        assertThat(m.attachments()).containsExactly(PHOTO);
    }

    @Test
    void anEditReplacesTheTextAndStampsIt() {
        String c = directBetween(ALICE, BOB);
        send(c, ALICE, "helo");
        Instant editedAt = tick();
        given(new MessageEdited(c, "m-" + c + "-1", 1, ALICE, "hello", editedAt));

        MessageView m = page(c, null, null, 10).messages().get(0);

        assertThat(m.text()).isEqualTo("hello");
        assertThat(m.editedAt()).isEqualTo(editedAt);
        assertThat(m.deleted()).isFalse();
    }

    @Test
    void aDeletedMessageIsATombstoneWithoutTextThatLaterEditsDoNotRevive() {
        String c = directBetween(ALICE, BOB);
        given(new MessageSent(c, "m-1", 1, ALICE, "client-1", "secret", List.of(PHOTO), tick(), List.of(), null));
        lastSeq.put(c, 1L);
        send(c, BOB, "what?");
        given(new MessageDeleted(c, "m-1", 1, ALICE, tick()),
                new MessageEdited(c, "m-1", 1, ALICE, "secret again", tick()));

        List<MessageView> messages = page(c, null, null, 10).messages();

        assertThat(messages).hasSize(2);
        MessageView tombstone = messages.get(0);
        assertThat(tombstone.seq()).isEqualTo(1);
        assertThat(tombstone.deleted()).isTrue();
        assertThat(tombstone.text()).isNull();
        assertThat(tombstone.attachments()).isEmpty();
        assertThat(tombstone.senderId()).isEqualTo(ALICE);
        assertThat(messages.get(1).text()).isEqualTo("what?");
    }

    @Test
    void theLastMessageInTheListShowsEditsAndTombstones() {
        String c = directBetween(ALICE, BOB);
        send(c, ALICE, "first");
        send(c, ALICE, "typo");
        given(new MessageEdited(c, "m-" + c + "-2", 2, ALICE, "fixed", tick()));
        assertThat(summaryOf(BOB, c).lastMessage().text()).isEqualTo("fixed");

        given(new MessageDeleted(c, "m-" + c + "-2", 2, ALICE, tick()));

        MessageView last = summaryOf(BOB, c).lastMessage();
        assertThat(last.seq()).isEqualTo(2);
        assertThat(last.deleted()).isTrue();
        assertThat(last.text()).isNull();
    }

    // ---------------------------------------------------------------- inbox

    @Test
    void messagesAreUnreadForTheRecipientButNotForTheSender() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 3);

        ConversationSummary alice = summaryOf(ALICE, c);
        ConversationSummary bob = summaryOf(BOB, c);

        assertThat(bob.unread()).isEqualTo(3);
        assertThat(bob.readSeq()).isZero();
        assertThat(bob.lastSeq()).isEqualTo(3);
        assertThat(alice.unread()).isZero();
        assertThat(alice.readSeq()).isEqualTo(3);
        assertThat(alice.deliveredSeq()).isEqualTo(3);
    }

    @Test
    void aBatchOfMessagesFromSeveralSendersCountsAsTheSameMessagesOneBatchEach() {
        String together = groupOf("g-together", "Together", ALICE, BOB, CAROL, DAVE);
        String apart = groupOf("g-apart", "Apart", ALICE, BOB, CAROL, DAVE);
        List<String> senders = List.of(ALICE, ALICE, BOB, CAROL, CAROL);

        given(senders.stream().map(sender -> nextMessage(together, sender)).toArray());
        senders.forEach(sender -> given(nextMessage(apart, sender)));

        assertThat(inboxOf(together)).isEqualTo(Map.of(
                ALICE, List.of(5L, 2L, 2L, 3L), BOB, List.of(5L, 3L, 3L, 2L),
                CAROL, List.of(5L, 5L, 5L, 0L), DAVE, List.of(5L, 0L, 0L, 5L)));
        assertThat(inboxOf(together)).isEqualTo(inboxOf(apart));
        assertThat(summaryOf(DAVE, together).lastMessage().seq()).isEqualTo(5);
        assertThat(summaryOf(DAVE, together).updatedAt()).isEqualTo(summaryOf(DAVE, together).lastMessage().sentAt());
    }

    @Test
    void aReadAndANewMemberAmongTheMessagesOfABatchCountOnlyWhatCameAfterThemAndAnotherEventMayEndIt() {
        String team = groupOf("g-busy", "Busy", ALICE, BOB, CAROL, DAVE);

        given(nextMessage(team, ALICE), nextMessage(team, BOB), new MessagesRead(team, DAVE, 2, tick()),
                nextMessage(team, CAROL), new MemberAdded(team, "u-erin", MemberRole.MEMBER, ALICE, tick()),
                nextMessage(team, BOB), new UserRegistered("u-frank", "frank", "Frank", tick()));

        assertThat(inboxOf(team)).isEqualTo(Map.of(
                ALICE, List.of(4L, 1L, 1L, 3L), BOB, List.of(4L, 4L, 4L, 0L), CAROL, List.of(4L, 3L, 3L, 1L),
                DAVE, List.of(4L, 2L, 2L, 2L), "u-erin", List.of(4L, 3L, 3L, 1L)));
    }

    @Test
    void aBatchOfMessagesInSeveralConversationsCountsEachConversationOnItsOwn() {
        String team = groupOf("g-first", "First", ALICE, BOB, CAROL);
        String other = groupOf("g-second", "Second", ALICE, BOB, CAROL);
        String direct = directBetween(ALICE, BOB);

        given(nextMessageMentioning(team, ALICE, BOB), nextMessage(direct, BOB), nextMessage(other, CAROL),
                nextMessage(team, BOB), nextMessage(direct, ALICE), nextMessageMentioning(other, CAROL, ALICE));

        assertThat(inboxOf(team)).isEqualTo(Map.of(
                ALICE, List.of(2L, 1L, 1L, 1L), BOB, List.of(2L, 2L, 2L, 0L), CAROL, List.of(2L, 0L, 0L, 2L)));
        assertThat(inboxOf(direct)).isEqualTo(Map.of(ALICE, List.of(2L, 2L, 2L, 0L), BOB, List.of(2L, 1L, 1L, 1L)));
        assertThat(inboxOf(other)).isEqualTo(Map.of(
                ALICE, List.of(2L, 0L, 0L, 2L), BOB, List.of(2L, 0L, 0L, 2L), CAROL, List.of(2L, 2L, 2L, 0L)));
        assertThat(summaryOf(BOB, team).unreadMentions()).as("bob wrote after the mention").isZero();
        assertThat(summaryOf(ALICE, other).unreadMentions()).isEqualTo(1);
        assertThat(conversationsOf(ALICE)).extracting(ConversationSummary::conversationId)
                .containsExactly(other, direct, team);
        assertThat(summaryOf(ALICE, direct).lastMessage().senderId()).isEqualTo(ALICE);
    }

    @Test
    void messagesDeliveredAgainWithNewOnesInOneBatchAreCountedOnce() {
        String team = groupOf("g-again", "Again", ALICE, BOB, CAROL, DAVE);
        given(nextMessage(team, ALICE), nextMessage(team, BOB), nextMessage(team, ALICE));

        givenAfterRedelivering(3, nextMessage(team, BOB), nextMessage(team, CAROL));

        assertThat(inboxOf(team)).isEqualTo(Map.of(
                ALICE, List.of(5L, 3L, 3L, 2L), BOB, List.of(5L, 4L, 4L, 1L), CAROL, List.of(5L, 5L, 5L, 0L),
                DAVE, List.of(5L, 0L, 0L, 5L)));
    }

    @Test
    void messagesHandedToTheInboxTogetherLeaveEveryRowAsOneAtATimeWould() {
        Random random = new Random(17);
        InboxStore inbox = rawStores.inbox();
        List<String> members = List.of(ALICE, BOB, CAROL, DAVE);
        for (int trial = 0; trial < 150; trial++) {
            String together = "c-together-" + trial;
            String apart = "c-apart-" + trial;
            // the same rows in both: joined at various seqs, some read cursors moved (one even past the row's lastSeq)
            List<Consumer<String>> rows = new ArrayList<>();
            for (String member : members) {
                long joinedAt = random.nextInt(6);
                rows.add(c -> inbox.join(member, c, joinedAt, clock));
                if (random.nextBoolean()) {
                    long upTo = random.nextInt(9);
                    long unread = random.nextInt(3);
                    rows.add(c -> inbox.read(member, c, upTo, unread));
                }
            }
            // mostly runs of consecutive seqs; now and then a seq again, a gap or a step back; a sender who is no member
            List<MessageArrival> arrivals = new ArrayList<>();
            long seq = 1 + random.nextInt(8);
            for (int i = 0, n = 1 + random.nextInt(7); i < n; i++) {
                int twist = random.nextInt(10);
                seq += twist == 0 ? 0 : twist == 1 ? 2 : twist == 2 ? -2 : 1;
                String sender = random.nextInt(8) == 0 ? "u-stranger" : members.get(random.nextInt(members.size()));
                arrivals.add(new MessageArrival(Math.max(1, seq), sender, clock.plusSeconds(seq)));
            }
            inBatch(() -> {
                rows.forEach(row -> row.accept(together));
                rows.forEach(row -> row.accept(apart));
                inbox.messagesArrived(together, arrivals);
                arrivals.forEach(a -> inbox.messageArrived(apart, a.seq(), a.senderId(), a.at()));
            });

            assertThat(cursorsOf(inbox, together)).as("trial %d: %s", trial, arrivals)
                    .isEqualTo(cursorsOf(inbox, apart));
        }
    }

    private static List<List<Object>> cursorsOf(InboxStore inbox, String conversationId) {
        return inbox.ofConversation(conversationId).stream()
                .map(r -> List.<Object>of(r.userId(), r.lastSeq(), r.readSeq(), r.deliveredSeq(), r.unread()))
                .toList();
    }

    /** Each member's last seq, read and delivered cursors and unread count, as their conversation list shows them. */
    private Map<String, List<Long>> inboxOf(String conversationId) {
        Map<String, List<Long>> rows = new HashMap<>();
        for (Member member : members(conversationId).members()) {
            ConversationSummary s = summaryOf(member.userId(), conversationId);
            rows.put(member.userId(), List.of(s.lastSeq(), s.readSeq(), s.deliveredSeq(), s.unread()));
        }
        return rows;
    }

    @Test
    void replyingMarksEverythingBeforeAsReadForTheReplier() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 3);
        send(c, BOB, "got them");

        assertThat(summaryOf(BOB, c).unread()).isZero();
        assertThat(summaryOf(BOB, c).readSeq()).isEqualTo(4);
        assertThat(summaryOf(ALICE, c).unread()).isEqualTo(1);
        assertThat(summaryOf(ALICE, c).readSeq()).isEqualTo(3);
    }

    @Test
    void readingCountsOnlyWhatOthersSentAfterTheCursor() {
        String c = directBetween(ALICE, BOB);
        send(c, ALICE, "1");
        send(c, BOB, "2");
        send(c, ALICE, "3");
        send(c, ALICE, "4");
        send(c, ALICE, "5");
        assertThat(summaryOf(BOB, c).unread()).isEqualTo(3);

        given(new MessagesRead(c, BOB, 3, tick()));

        ConversationSummary bob = summaryOf(BOB, c);
        assertThat(bob.readSeq()).isEqualTo(3);
        assertThat(bob.deliveredSeq()).as("read implies delivered").isEqualTo(3);
        assertThat(bob.unread()).isEqualTo(2);
    }

    @Test
    void readAndDeliveredCursorsNeverMoveBack() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 5);
        given(new MessagesDelivered(c, BOB, 4, tick()), new MessagesRead(c, BOB, 3, tick()));

        given(new MessagesRead(c, BOB, 1, tick()), new MessagesDelivered(c, BOB, 2, tick()));

        ConversationSummary bob = summaryOf(BOB, c);
        assertThat(bob.readSeq()).isEqualTo(3);
        assertThat(bob.deliveredSeq()).isEqualTo(4);
        assertThat(bob.unread()).isEqualTo(2);
    }

    @Test
    void deletingAnUnreadMessageLowersTheUnreadCountOfThoseWhoHadNotReadIt() {
        String team = groupOf("g-team", "Team", ALICE, BOB, CAROL, DAVE);
        sendMany(team, ALICE, 3);
        given(new MessagesRead(team, BOB, 1, tick()), new MessagesRead(team, DAVE, 3, tick()));

        given(new MessageDeleted(team, "m-" + team + "-2", 2, ALICE, tick()));

        assertThat(summaryOf(CAROL, team).unread()).as("carol had read nothing").isEqualTo(2);
        assertThat(summaryOf(BOB, team).unread()).as("bob had read the first").isEqualTo(1);
        assertThat(summaryOf(DAVE, team).unread()).as("dave had read all").isZero();
        assertThat(summaryOf(ALICE, team).unread()).as("the sender").isZero();
        given(new MessageEdited(team, "m-" + team + "-3", 3, ALICE, "edited", tick()));
        assertThat(summaryOf(CAROL, team).unread()).as("an edit changes no count").isEqualTo(2);
    }

    @Test
    void deletingAMessageAlreadyReadLeavesTheCountAlone() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 4);
        given(new MessagesRead(c, BOB, 2, tick()));

        given(new MessageDeleted(c, "m-" + c + "-1", 1, ALICE, tick()),
                new MessageDeleted(c, "m-" + c + "-3", 3, ALICE, tick()));

        ConversationSummary bob = summaryOf(BOB, c);
        assertThat(bob.unread()).as("of the two deleted only the unread one lowers the count").isEqualTo(1);
        assertThat(bob.readSeq()).isEqualTo(2);
    }

    @Test
    void deletingTheSameMessageTwiceLowersTheCountOnce() {
        deliverTwice = true;
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 3);

        given(new MessageDeleted(c, "m-" + c + "-2", 2, ALICE, tick()));
        given(new MessageDeleted(c, "m-" + c + "-2", 2, ALICE, tick()));

        assertThat(summaryOf(BOB, c).unread()).isEqualTo(2);
    }

    @Test
    void readingUpToBeforeADeletedMessageDoesNotCountIt() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 4);
        given(new MessageDeleted(c, "m-" + c + "-3", 3, ALICE, tick()));

        given(new MessagesRead(c, BOB, 1, tick()));

        assertThat(summaryOf(BOB, c).unread()).isEqualTo(2);
    }

    @Test
    void unreadCountsWithDeletesComeOutTheSameAfterAResetAndReplayAndAfterAReplayOnTop() {
        String c = directBetween(ALICE, BOB);
        sendMany(c, ALICE, 3);
        given(new MessageDeleted(c, "m-" + c + "-1", 1, ALICE, tick()),
                new MessagesRead(c, BOB, 1, tick()));
        String team = groupOf("g-team", "Team", ALICE, BOB, CAROL);
        sendMany(team, ALICE, 3);
        given(new MessagesRead(team, BOB, 1, tick()),
                new MessageDeleted(team, "m-" + team + "-1", 1, ALICE, tick()),
                new MessageDeleted(team, "m-" + team + "-3", 3, ALICE, tick()));
        Map<String, Long> expected = Map.of("bob direct", 2L, "bob team", 1L, "carol team", 1L, "alice team", 0L);
        assertThat(unreadOf(c, team)).isEqualTo(expected);

        resetAndReplay();
        assertThat(unreadOf(c, team)).as("after a reset and replay").isEqualTo(expected);

        process(history, false);
        assertThat(unreadOf(c, team)).as("after replaying on top").isEqualTo(expected);
    }

    private Map<String, Long> unreadOf(String direct, String team) {
        return Map.of("bob direct", summaryOf(BOB, direct).unread(), "bob team", summaryOf(BOB, team).unread(),
                "carol team", summaryOf(CAROL, team).unread(), "alice team", summaryOf(ALICE, team).unread());
    }

    @Test
    void receiptsTellWhoHasReadUpToWhereInAGroup() {
        String team = groupOf("g-ticks", "Ticks", ALICE, BOB, CAROL);
        sendMany(team, ALICE, 4);
        given(new MessagesRead(team, BOB, 3, tick()), new MessagesDelivered(team, CAROL, 2, tick()));

        List<MemberCursor> cursors = queries.query(new ReceiptsQuery(team),
                ResponseTypes.multipleInstancesOf(MemberCursor.class)).join();

        assertThat(cursors).containsExactlyInAnyOrder(
                new MemberCursor(ALICE, 4, 4), new MemberCursor(BOB, 3, 3), new MemberCursor(CAROL, 2, 0));
        assertThat(queries.query(new ReceiptsQuery("g-unknown"),
                ResponseTypes.multipleInstancesOf(MemberCursor.class)).join()).isEmpty();
    }

    @Test
    void conversationsAreListedMostRecentlyActiveFirst() {
        String withBob = directBetween(ALICE, BOB);
        String withCarol = directBetween(ALICE, CAROL);
        String team = groupOf("g-team", "Team", ALICE, BOB, CAROL);
        send(withBob, BOB, "one");
        send(withCarol, CAROL, "two");
        send(team, BOB, "three");
        send(withBob, ALICE, "four");

        List<ConversationSummary> list = conversationsOf(ALICE);

        assertThat(list).extracting(ConversationSummary::conversationId).containsExactly(withBob, team, withCarol);
        assertThat(list.get(0).lastMessage().text()).isEqualTo("four");
        assertThat(list.get(0).updatedAt()).isEqualTo(list.get(0).lastMessage().sentAt());
        assertThat(conversationsOf(CAROL)).extracting(ConversationSummary::conversationId)
                .containsExactly(team, withCarol);
        assertThat(conversationsOf(DAVE)).isEmpty();
    }

    @Test
    void aSummaryDescribesTheConversation() {
        String direct = directBetween(ALICE, BOB);
        String team = groupOf("g-team", "Team", ALICE, BOB);

        ConversationSummary d = summaryOf(BOB, direct);
        ConversationSummary g = summaryOf(BOB, team);

        assertThat(d.type()).isEqualTo(ConversationType.DIRECT);
        assertThat(d.name()).isNull();
        assertThat(d.members()).containsExactly(new Member(ALICE, MemberRole.MEMBER), new Member(BOB, MemberRole.MEMBER));
        assertThat(d.lastMessage()).isNull();
        assertThat(d.lastSeq()).isZero();
        assertThat(g.type()).isEqualTo(ConversationType.GROUP);
        assertThat(g.name()).isEqualTo("Team");
        assertThat(g.members()).containsExactly(new Member(ALICE, MemberRole.OWNER), new Member(BOB, MemberRole.MEMBER));
    }

    // ---------------------------------------------------------------- members

    @Test
    void aNewMemberSeesTheGroupButNothingSaidBeforeAsUnread() {
        String team = groupOf("g-team", "Team", ALICE, BOB);
        sendMany(team, ALICE, 2);
        addMember(team, CAROL, ALICE);
        send(team, BOB, "welcome carol");

        ConversationSummary carol = summaryOf(CAROL, team);

        assertThat(carol.unread()).isEqualTo(1);
        assertThat(carol.readSeq()).isEqualTo(2);
        assertThat(page(team, null, null, 10).messages()).hasSize(3);
        assertThat(members(team).members()).extracting(Member::userId).containsExactly(ALICE, BOB, CAROL);
    }

    @Test
    void aRemovedMemberNoLongerHasTheGroupAndIsNoLongerListed() {
        String team = groupOf("g-team", "Team", ALICE, BOB, CAROL);
        send(team, ALICE, "hi all");
        given(new MemberRemoved(team, BOB, ALICE, tick()));
        long removal = lastAggregateSequence(team);

        ConversationMembers members = members(team);

        assertThat(conversationsOf(BOB)).isEmpty();
        assertThat(members.members()).extracting(Member::userId).containsExactly(ALICE, CAROL);
        assertThat(members.version()).isEqualTo(removal);
        assertThat(members.lastSeq()).isEqualTo(1);
        send(team, ALICE, "bob is gone");
        assertThat(conversationsOf(BOB)).isEmpty();
        assertThat(summaryOf(CAROL, team).unread()).isEqualTo(2);
    }

    @Test
    void aMemberWhoLeavesAndIsAddedAgainStartsFromTheCurrentMessage() {
        String team = groupOf("g-team", "Team", ALICE, BOB);
        send(team, ALICE, "1");
        given(new MemberLeft(team, BOB, tick()));
        send(team, ALICE, "2 while bob is away");
        addMember(team, BOB, ALICE);

        ConversationSummary bob = summaryOf(BOB, team);

        assertThat(bob.unread()).isZero();
        assertThat(bob.readSeq()).isEqualTo(2);
        assertThat(members(team).members()).extracting(Member::userId).containsExactly(ALICE, BOB);
    }

    @Test
    void roleChangesShowInTheMemberList() {
        String team = groupOf("g-team", "Team", ALICE, BOB);
        given(new MemberRoleChanged(team, BOB, MemberRole.ADMIN, tick()));

        ConversationMembers members = members(team);

        assertThat(members.members()).containsExactly(new Member(ALICE, MemberRole.OWNER),
                new Member(BOB, MemberRole.ADMIN));
        assertThat(members.type()).isEqualTo(ConversationType.GROUP);
        assertThat(members.name()).isEqualTo("Team");
        assertThat(members.version()).isEqualTo(lastAggregateSequence(team));
    }

    @Test
    void anUnknownConversationHasNoMembers() {
        assertThat(members("no-such-conversation")).isNull();
    }

    // ---------------------------------------------------------------- users

    @Test
    void aRegisteredUserIsFoundWithTheirCurrentDisplayName() {
        Instant registeredAt = tick();
        given(new UserRegistered(ALICE, "alice", "Alice", registeredAt),
                new DisplayNameChanged(ALICE, "Alice L.", tick()));

        assertThat(user(ALICE)).isEqualTo(new UserView(ALICE, "alice", "Alice L.", registeredAt));
        assertThat(user("nobody")).isNull();
    }

    @Test
    void usersAreFoundByTheStartOfTheirUsernameAPageAtATime() {
        given(new UserRegistered(ALICE, "alice", "Alice", tick()),
                new UserRegistered("u-alina", "alina", "Alina", tick()),
                new UserRegistered("u-albert", "albert", "Albert", tick()),
                new UserRegistered(BOB, "bob", "Bob", tick()),
                new UserRegistered("u-al2", "al2", "Al Two", tick()),
                new UserRegistered("u-xal", "xal", "Not a prefix match", tick()));
        given(new DisplayNameChanged("u-alina", "Alina K.", tick()));

        UserSearchPage first = searchUsers("al", 2, 0);
        assertThat(first.users()).extracting(UserView::username).containsExactly("al2", "albert");
        assertThat(first.hasMore()).isTrue();
        UserSearchPage second = searchUsers("al", 2, 2);
        assertThat(second.users()).extracting(UserView::username).containsExactly("alice", "alina");
        assertThat(second.users().get(1).displayName()).isEqualTo("Alina K.");
        assertThat(second.hasMore()).isFalse();
        assertThat(searchUsers("al", 2, 4).users()).isEmpty();

        assertThat(searchUsers("ali", 20, 0).users()).extracting(UserView::userId).containsExactly(ALICE, "u-alina");
        assertThat(searchUsers("alice", 20, 0).users()).containsExactly(user(ALICE));
        assertThat(searchUsers("alicex", 20, 0).users()).isEmpty();
        assertThat(searchUsers("b", 20, 0).users()).extracting(UserView::username).containsExactly("bob");
        assertThat(searchUsers("", 20, 0).users()).as("a blank prefix lists nobody").isEmpty();
    }

    @Test
    void wildcardAndPatternCharactersInASearchMatchOnlyThemselves() {
        given(new UserRegistered(ALICE, "alice", "Alice", tick()),
                new UserRegistered("u-dot", "a.b", "Dot", tick()),
                new UserRegistered("u-under", "a_b", "Under", tick()),
                new UserRegistered("u-dash", "a-b", "Dash", tick()),
                new UserRegistered("u-axb", "axb", "Axb", tick()));

        for (String pattern : List.of("%", "_", "a%", "a_b%", ".*", "a.*", "^a", "\\", "a[", "!", "a\\Eb", "a+", "a!")) {
            assertThat(searchUsers(pattern, 20, 0).users()).as("search for '%s'", pattern).isEmpty();
        }
        assertThat(searchUsers("a_", 20, 0).users()).extracting(UserView::userId).containsExactly("u-under");
        assertThat(searchUsers("a.", 20, 0).users()).extracting(UserView::userId).containsExactly("u-dot");
        assertThat(searchUsers("a-", 20, 0).users()).extracting(UserView::userId).containsExactly("u-dash");
    }

    // ---------------------------------------------------------------- idempotency and replay

    @Test
    void everyEventDeliveredTwiceGivesTheSameReadModelsAsOnce() {
        deliverTwice = true;
        story();
        Map<String, Object> twice = observe();

        deliverTwice = false;
        resetAndReplay();

        assertThat(observe()).isEqualTo(twice);
        assertThat(summaryOf(CAROL, "g-team").unread()).as("dave's message; bob's deleted one does not count")
                .isEqualTo(1);
    }

    @Test
    void replayingTheWholeHistoryAgainChangesNothing() {
        story();
        Map<String, Object> once = observe();

        process(history, false);

        assertThat(observe()).isEqualTo(once);
    }

    @Test
    void aResetEmptiesEveryReadModelAndAReplayRebuildsIt() {
        story();
        Map<String, Object> before = observe();

        inBatch(() -> {
            conversationProjection.prepareReset();
            userProjection.prepareReset();
        });

        assertThat(conversationsOf(ALICE)).isEmpty();
        assertThat(members("g-team")).isNull();
        assertThat(page("g-team", null, null, 50).messages()).isEmpty();
        assertThat(user(ALICE)).isNull();

        process(history, false);
        assertThat(observe()).isEqualTo(before);
    }

    /** A bit of everything, so that replay tests cover every handler. */
    private void story() {
        given(new UserRegistered(ALICE, "alice", "Alice", tick()), new UserRegistered(BOB, "bob", "Bob", tick()),
                new UserRegistered(CAROL, "carol", "Carol", tick()), new UserRegistered(DAVE, "dave", "Dave", tick()));
        given(new DisplayNameChanged(BOB, "Bobby", tick()));
        String direct = directBetween(ALICE, BOB);
        sendMany(direct, ALICE, 3);
        given(new MessagesDelivered(direct, BOB, 3, tick()), new MessagesRead(direct, BOB, 2, tick()));
        send(direct, BOB, "ok");
        String team = groupOf("g-team", "Team", ALICE, BOB, CAROL);
        send(team, ALICE, "kick-off");
        addMember(team, DAVE, ALICE);
        given(new MemberRoleChanged(team, BOB, MemberRole.ADMIN, tick()));
        send(team, DAVE, "hi");
        given(new MessageEdited(team, "m-" + team + "-2", 2, DAVE, "hi all", tick()));
        send(team, BOB, "oops");
        given(new MessageDeleted(team, "m-" + team + "-3", 3, BOB, tick()));
        given(new MemberRemoved(team, DAVE, BOB, tick()), new MemberLeft(team, ALICE, tick()));
        given(new MessagesRead(team, CAROL, 1, tick()));
        String more = groupOf("g-more", "More", CAROL, BOB, DAVE);
        send(more, BOB, "kick-off");
        sendWith(more, CAROL, "replying to kick-off, mentioning bob", List.of(BOB), 1L);
        given(new ReactionAdded(more, "m-" + more + "-1", 1, BOB, THUMBS, 1, tick()),
                new ReactionAdded(more, "m-" + more + "-1", 1, CAROL, THUMBS, 2, tick()),
                new ReactionRemoved(more, "m-" + more + "-1", 1, BOB, THUMBS, 3, tick()));
        given(new UserBlocked(ALICE, BOB, tick()), new UserBlocked(ALICE, CAROL, tick()),
                new UserUnblocked(ALICE, BOB, tick()));
    }

    /** Everything a user could ask about the known users and conversations. */
    private Map<String, Object> observe() {
        Map<String, Object> seen = new LinkedHashMap<>();
        for (String u : knownUsers) {
            seen.put("user " + u, user(u));
            seen.put("conversations of " + u, conversationsOf(u));
            seen.put("blocked by " + u, blockedBy(u));
        }
        for (String c : knownConversations) {
            seen.put("members of " + c, members(c));
            seen.put("history of " + c, page(c, null, null, 200));
            seen.put("reaction changes of " + c, reactionChanges(c, 0));
        }
        return seen;
    }

    private void resetAndReplay() {
        inBatch(() -> {
            conversationProjection.prepareReset();
            userProjection.prepareReset();
        });
        process(history, false);
    }

    // ---------------------------------------------------------------- feeding events

    /** Feeds events as one processor batch, each as the next event of its aggregate. */
    protected void given(Object... events) {
        List<DomainEventMessage<?>> batch = new ArrayList<>();
        for (Object event : events) {
            batch.add(nextDomainMessage(event));
        }
        history.addAll(batch);
        process(batch, deliverTwice);
    }

    /** The event as the next event of its aggregate. */
    private DomainEventMessage<?> nextDomainMessage(Object event) {
        String aggregate = aggregateOf(event);
        long sequence = aggregateSequence.merge(aggregate, 1L, Long::sum) - 1;
        return new GenericDomainEventMessage<>(isUserEvent(event) ? "User" : "Conversation", aggregate, sequence, event,
                MetaData.emptyInstance(), UUID.randomUUID().toString(), tick());
    }

    /**
     * Handles the messages as one batch of a streaming processor: in one {@link BatchingUnitOfWork} (so each handler
     * learns whether its event concludes the batch) inside {@link #inBatch}; with {@code twice}, each message is
     * handled a second time right after the first.
     */
    private void process(List<DomainEventMessage<?>> messages, boolean twice) {
        if (messages.isEmpty()) {
            return;
        }
        inBatch(() -> {
            BatchingUnitOfWork<DomainEventMessage<?>> unitOfWork = new BatchingUnitOfWork<>(List.copyOf(messages));
            ResultMessage<Object> result = unitOfWork.executeWithResult(() -> {
                dispatch(unitOfWork.getMessage());
                if (twice) {
                    dispatch(unitOfWork.getMessage());
                }
                return null;
            }, RollbackConfigurationType.ANY_THROWABLE);
            if (result.isExceptional()) {
                throw new IllegalStateException("the batch failed", result.exceptionResult());
            }
        });
    }

    /**
     * Feeds, as one batch, the last {@code redelivered} events fed before (as a processor does after a crash before it
     * saved its position) followed by new ones.
     */
    protected void givenAfterRedelivering(int redelivered, Object... events) {
        List<DomainEventMessage<?>> batch = new ArrayList<>(history.subList(history.size() - redelivered, history.size()));
        for (Object event : events) {
            DomainEventMessage<?> message = nextDomainMessage(event);
            history.add(message);
            batch.add(message);
        }
        process(batch, false);
    }

    /** The aggregate sequence number of the aggregate's latest event. */
    protected long lastAggregateSequence(String aggregateId) {
        return aggregateSequence.get(aggregateId) - 1;
    }

    private void dispatch(DomainEventMessage<?> message) {
        try {
            if (conversationProjection.canHandle(message)) {
                conversationProjection.handle(message);
            }
            if (userProjection.canHandle(message)) {
                userProjection.handle(message);
            }
        } catch (Exception e) {
            throw new IllegalStateException("projection failed on " + message.getPayload(), e);
        }
    }

    private String aggregateOf(Object event) {
        String id;
        if (isUserEvent(event)) {
            try {
                id = (String) event.getClass().getMethod("userId").invoke(event);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("not a user event: " + event, e);
            }
        } else {
            try {
                // every conversation event names its conversation first
                id = (String) event.getClass().getMethod("conversationId").invoke(event);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("not an event of ours: " + event, e);
            }
        }
        if (isUserEvent(event)) {
            knownUsers.add(id);
        } else {
            knownConversations.add(id);
        }
        return id;
    }

    private static boolean isUserEvent(Object event) {
        return event.getClass().getEnclosingClass() == io.parley.api.user.UserEvents.class;
    }

    protected String directBetween(String a, String b) {
        String id = ConversationIds.direct(a, b);
        knownUsers.add(a);
        knownUsers.add(b);
        given(new DirectConversationOpened(id, List.of(a, b), a, tick()));
        return id;
    }

    protected String groupOf(String id, String name, String owner, String... others) {
        List<Member> members = new ArrayList<>();
        members.add(new Member(owner, MemberRole.OWNER));
        knownUsers.add(owner);
        for (String other : others) {
            members.add(new Member(other, MemberRole.MEMBER));
            knownUsers.add(other);
        }
        given(new GroupCreated(id, name, owner, members, tick()));
        return id;
    }

    protected void addMember(String conversationId, String userId, String by) {
        knownUsers.add(userId);
        given(new MemberAdded(conversationId, userId, MemberRole.MEMBER, by, tick()));
    }

    protected long send(String conversationId, String senderId, String text) {
        long seq = lastSeq.merge(conversationId, 1L, Long::sum);
        given(new MessageSent(conversationId, "m-" + conversationId + "-" + seq, seq, senderId, "client-" + seq, text,
                List.of(), tick(), List.of(), null));
        return seq;
    }

    protected long sendWith(String conversationId, String senderId, String text, List<String> mentions, Long replyTo) {
        long seq = lastSeq.merge(conversationId, 1L, Long::sum);
        given(new MessageSent(conversationId, "m-" + conversationId + "-" + seq, seq, senderId, "client-" + seq, text,
                List.of(), tick(), mentions, replyTo));
        return seq;
    }

    /** The conversation's next message from {@code senderId}, to feed with others in one batch. */
    protected MessageSent nextMessage(String conversationId, String senderId) {
        long seq = lastSeq.merge(conversationId, 1L, Long::sum);
        return new MessageSent(conversationId, "m-" + conversationId + "-" + seq, seq, senderId, "client-" + seq,
                "message " + seq, List.of(), tick(), List.of(), null);
    }

    /** The conversation's next message from {@code senderId}, mentioning {@code mentioned}. */
    protected MessageSent nextMessageMentioning(String conversationId, String senderId, String mentioned) {
        MessageSent next = nextMessage(conversationId, senderId);
        return new MessageSent(conversationId, next.messageId(), next.seq(), senderId, next.clientMsgId(),
                "@" + mentioned + " " + next.text(), List.of(), next.sentAt(), List.of(mentioned), null);
    }

    protected void sendMany(String conversationId, String senderId, int count) {
        // one batch, like a processor catching up
        Object[] events = new Object[count];
        for (int i = 0; i < count; i++) {
            events[i] = nextMessage(conversationId, senderId);
        }
        given(events);
    }

    /** Advancing time at millisecond precision (what every store keeps). */
    protected Instant tick() {
        clock = clock.plusMillis(1_001);
        return clock;
    }

    // ---------------------------------------------------------------- asking, as the edge does

    protected MessagePage page(String conversationId, Long before, Long after, int limit) {
        return queries.query(new MessagePageQuery(conversationId, before, after, limit),
                ResponseTypes.instanceOf(MessagePage.class)).join();
    }

    protected List<ConversationSummary> conversationsOf(String userId) {
        return queries.query(new ConversationsOfUserQuery(userId),
                ResponseTypes.multipleInstancesOf(ConversationSummary.class)).join();
    }

    protected ConversationSummary summaryOf(String userId, String conversationId) {
        return conversationsOf(userId).stream()
                .filter(s -> s.conversationId().equals(conversationId))
                .findFirst()
                .orElseThrow(() -> new AssertionError(userId + " does not have " + conversationId + " in the list"));
    }

    protected ConversationMembers members(String conversationId) {
        return queries.query(new ConversationMembersQuery(conversationId),
                ResponseTypes.instanceOf(ConversationMembers.class)).join();
    }

    protected UserSearchPage searchUsers(String prefix, int limit, int offset) {
        return queries.query(new SearchUsersQuery(prefix, limit, offset), ResponseTypes.instanceOf(UserSearchPage.class))
                .join();
    }

    protected List<BlockedUser> blockedBy(String userId) {
        return queries.query(new BlockedUsersQuery(userId), ResponseTypes.multipleInstancesOf(BlockedUser.class)).join();
    }

    protected List<MessageReactions> reactionChanges(String conversationId, long afterVersion) {
        return queries.query(new ReactionChangesQuery(conversationId, afterVersion, 200),
                ResponseTypes.multipleInstancesOf(MessageReactions.class)).join();
    }

    protected MessageView message(String conversationId, long seq) {
        return page(conversationId, seq + 1, seq - 1, 1).messages().get(0);
    }

    protected UserView user(String userId) {
        return queries.query(new FindUserQuery(userId), ResponseTypes.instanceOf(UserView.class)).join();
    }

    private static List<Long> seqs(MessagePage page) {
        return page.messages().stream().map(MessageView::seq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
