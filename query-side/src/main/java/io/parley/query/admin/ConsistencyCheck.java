package io.parley.query.admin;

import io.parley.api.admin.AdminMessages.CheckConsistencyQuery;
import io.parley.api.admin.AdminMessages.ConsistencyReport;
import io.parley.api.conversation.ConversationEvents;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.query.conversation.ConversationProjection;
import io.parley.query.store.ConversationRecord;
import io.parley.query.store.InboxEntry;
import io.parley.query.store.ReadStores;
import io.parley.query.store.jdbc.JdbcReadStores;
import io.parley.query.user.UserProjection;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.queryhandling.QueryHandler;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Compares the read models with the event store: every event up to the head is replayed, through the same projection
 * code, into a scratch copy of the read models (the embedded adapter on a private in-memory H2 database), and each
 * conversation's record, messages and inbox rows, and each user, are compared with the live read store through the
 * storage port, with the messages' replies, mentions and reactions and each user's unread mentions. Differences are
 * reported, not repaired: a rebuild repairs.
 * <p>
 * Conversations that receive events while the check runs may show passing differences; run it again, or on a quiet
 * system. The scratch copy lives in memory for the duration of the check.
 */
@Component
class ConsistencyCheck {

    private static final Logger log = LoggerFactory.getLogger(ConsistencyCheck.class);
    private static final int MAX_REPORTED = 100;
    private static final int PAGE = 500;

    private final EventStore eventStore;
    private final ReadStores live;

    ConsistencyCheck(EventStore eventStore, ReadStores live) {
        this.eventStore = eventStore;
        this.live = live;
    }

    @QueryHandler
    ConsistencyReport handle(CheckConsistencyQuery query) throws InterruptedException {
        JdbcDataSource scratchDb = new JdbcDataSource();
        scratchDb.setURL("jdbc:h2:mem:consistency-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        ReadStores scratch = JdbcReadStores.create(scratchDb);
        AnnotationEventHandlerAdapter conversations = new AnnotationEventHandlerAdapter(new ConversationProjection(scratch));
        AnnotationEventHandlerAdapter users = new AnnotationEventHandlerAdapter(new UserProjection(scratch));
        Set<String> conversationIds = new LinkedHashSet<>();
        Set<String> userIds = new LinkedHashSet<>();

        long head = position(eventStore.createHeadToken());
        long replayed = 0;
        try (BlockingStream<TrackedEventMessage<?>> stream = eventStore.openStream(null)) {
            while (head > 0 && stream.hasNextAvailable(1, TimeUnit.SECONDS)) {
                TrackedEventMessage<?> event = stream.nextAvailable();
                if (position(event.trackingToken()) > head) {
                    break;
                }
                if (event.getPayloadType().getEnclosingClass() == ConversationEvents.class) {
                    conversations.handle(event);
                    conversationIds.add(aggregateOf(event));
                }
                if (users.canHandle(event)) {
                    users.handle(event);
                    if (event.getPayload() instanceof UserRegistered registered) {
                        userIds.add(registered.userId());
                    }
                }
                if (++replayed % 100_000 == 0) {
                    log.info("consistency check: {} events replayed (head at {})", replayed, head);
                }
                if (position(event.trackingToken()) >= head) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not replay the event store", e);
        }

        List<String> differences = new ArrayList<>();
        int[] total = {0};
        long messages = 0;
        for (String conversationId : conversationIds) {
            messages += compareConversation(conversationId, scratch, differences, total);
        }
        for (String userId : userIds) {
            if (!Objects.equals(scratch.users().find(userId), live.users().find(userId))) {
                note(differences, total, "user " + userId + ": read model differs from its events");
            }
            Map<String, Long> expectedMentions = scratch.mentions().unreadOf(userId);
            Map<String, Long> actualMentions = live.mentions().unreadOf(userId);
            if (!expectedMentions.equals(actualMentions)) {
                note(differences, total, "user " + userId + ": unread mentions per conversation differ: expected "
                        + expectedMentions + " but the read model has " + actualMentions);
            }
        }
        log.info("consistency check: {} events, {} conversations, {} messages, {} users, {} differences",
                replayed, conversationIds.size(), messages, userIds.size(), total[0]);
        return new ConsistencyReport(total[0] == 0, replayed, conversationIds.size(), messages, userIds.size(),
                total[0], List.copyOf(differences), Instant.now());
    }

    private long compareConversation(String id, ReadStores scratch, List<String> differences, int[] total) {
        ConversationRecord expected = scratch.conversations().find(id).orElse(null);
        ConversationRecord actual = live.conversations().find(id).orElse(null);
        if (!Objects.equals(expected, actual)) {
            note(differences, total, "conversation " + id + ": expected " + expected + " but the read model has " + actual);
        }
        List<InboxEntry> expectedInbox = scratch.inbox().ofConversation(id);
        List<InboxEntry> actualInbox = live.inbox().ofConversation(id);
        if (!expectedInbox.equals(actualInbox)) {
            note(differences, total, "conversation " + id + ": inbox rows differ: expected " + expectedInbox
                    + " but the read model has " + actualInbox);
        }
        long compared = 0;
        long after = 0;
        while (true) {
            List<MessageView> expectedPage = scratch.timeline().range(id, after, Long.MAX_VALUE, PAGE, false);
            List<MessageView> actualPage = live.timeline().range(id, after, Long.MAX_VALUE, PAGE, false);
            // matched by seq, so that a missing or extra message does not shift the rest: up to the lower of the two
            // pages' last seqs (everything when both are the last), the next pages start after it
            long upTo = Math.min(lastSeqOf(expectedPage), lastSeqOf(actualPage));
            Map<Long, MessageView> expectedBySeq = bySeq(expectedPage, upTo);
            Map<Long, MessageView> actualBySeq = bySeq(actualPage, upTo);
            Set<Long> seqs = new TreeSet<>(expectedBySeq.keySet());
            seqs.addAll(actualBySeq.keySet());
            for (Long seq : seqs) {
                MessageView e = expectedBySeq.get(seq);
                MessageView a = actualBySeq.get(seq);
                if (!Objects.equals(e, a)) {
                    note(differences, total, "conversation " + id + " seq " + seq + ": expected " + e
                            + " but the read model has " + a);
                }
            }
            List<Long> expectedSeqs = List.copyOf(expectedBySeq.keySet());
            compare(id, expectedSeqs, "replies", scratch.replies().repliesAmong(id, expectedSeqs),
                    live.replies().repliesAmong(id, expectedSeqs), differences, total);
            compare(id, expectedSeqs, "mentions", sorted(scratch.mentions().mentionsAmong(id, expectedSeqs)),
                    sorted(live.mentions().mentionsAmong(id, expectedSeqs)), differences, total);
            compare(id, expectedSeqs, "reactions", scratch.reactions().ofMessages(id, expectedSeqs),
                    live.reactions().ofMessages(id, expectedSeqs), differences, total);
            compared += expectedBySeq.size();
            if (upTo == Long.MAX_VALUE) {
                return compared;
            }
            after = upTo;
        }
    }

    /** The last seq of a full page; {@code Long.MAX_VALUE} for the last page of a conversation. */
    private static long lastSeqOf(List<MessageView> page) {
        return page.size() < PAGE ? Long.MAX_VALUE : page.get(page.size() - 1).seq();
    }

    /** The page's messages up to {@code upTo}, by seq in ascending order. */
    private static Map<Long, MessageView> bySeq(List<MessageView> page, long upTo) {
        Map<Long, MessageView> bySeq = new TreeMap<>();
        page.stream().filter(m -> m.seq() <= upTo).forEach(m -> bySeq.put(m.seq(), m));
        return bySeq;
    }

    /** Notes one difference per page and kind, with the values of the messages that differ. */
    private static <V> void compare(String id, List<Long> seqs, String kind, Map<Long, V> expected, Map<Long, V> actual,
                                    List<String> differences, int[] total) {
        if (expected.equals(actual)) {
            return;
        }
        Map<Long, String> differing = new TreeMap<>();
        for (Long seq : seqs) {
            if (!Objects.equals(expected.get(seq), actual.get(seq))) {
                differing.put(seq, "expected " + expected.get(seq) + " but the read model has " + actual.get(seq));
            }
        }
        note(differences, total, "conversation " + id + ": " + kind + " differ: " + differing);
    }

    /** The ids mentioned per message in one order: each adapter sorts them in its database's collation. */
    private static Map<Long, List<String>> sorted(Map<Long, List<String>> mentions) {
        Map<Long, List<String>> sorted = new TreeMap<>();
        mentions.forEach((seq, userIds) -> sorted.put(seq, userIds.stream().sorted().toList()));
        return sorted;
    }

    private static void note(List<String> differences, int[] total, String difference) {
        total[0]++;
        if (differences.size() < MAX_REPORTED) {
            differences.add(difference);
        }
    }

    private static String aggregateOf(TrackedEventMessage<?> event) {
        return event instanceof DomainEventMessage<?> domain ? domain.getAggregateIdentifier() : "";
    }

    static long position(TrackingToken token) {
        return token == null ? 0 : token.position().orElse(0);
    }
}
