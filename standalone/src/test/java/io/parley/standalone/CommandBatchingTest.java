package io.parley.standalone;

import io.parley.api.conversation.ConversationCommands.OpenDirectConversation;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationCommands.SendResult;
import io.parley.api.conversation.ConversationIds;
import io.parley.axon.BatchingCommandBus;
import io.parley.eventstore.audit.EventHistory;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands that arrive together share a unit of work and a transaction ({@link BatchingCommandBus}), on the booted
 * standalone set-up with its file event store: each answer still means the event is stored, each conversation keeps
 * the order its messages were sent in, and a command that breaks a rule fails alone.
 */
class CommandBatchingTest {

    @TempDir
    Path dataDir;

    @Test
    void sendsThatArriveTogetherShareTransactionsAndEachAnswerMeansTheMessageIsStored() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir)) {
            CommandGateway commands = parley.bean(CommandGateway.class);
            EventHistory history = parley.bean(EventHistory.class);
            BatchingCommandBus bus = parley.bean(BatchingCommandBus.class);
            List<String> conversations = openConversations(commands, 10);
            long[] before = bus.batchesCommandsAndFallbacks();

            int perConversation = 40;
            List<String> notStoredWhenAnswered = new CopyOnWriteArrayList<>();
            Map<String, List<Long>> seqsInSendOrder = new ConcurrentHashMap<>();
            List<CompletableFuture<SendResult>> answers = new ArrayList<>();
            for (int i = 1; i <= perConversation; i++) {
                for (String conversation : conversations) {
                    String sender = memberOf(conversation);
                    CompletableFuture<SendResult> answer = commands.send(
                            new SendMessage(conversation, sender, "c" + i, "n" + i));
                    answers.add(answer.whenComplete((result, error) -> {
                        if (result != null && !stored(history, conversation, result.seq())) {
                            notStoredWhenAnswered.add(conversation + "#" + result.seq());
                        }
                    }));
                }
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < answers.size(); i++) {
                String conversation = conversations.get(i % conversations.size());
                seqsInSendOrder.computeIfAbsent(conversation, c -> new ArrayList<>()).add(answers.get(i).get().seq());
            }

            assertThat(notStoredWhenAnswered).as("answered before the event could be read back").isEmpty();
            List<Long> expected = new ArrayList<>();
            for (long seq = 1; seq <= perConversation; seq++) {
                expected.add(seq);
            }
            assertThat(seqsInSendOrder).hasSize(conversations.size())
                    .allSatisfy((conversation, seqs) -> assertThat(seqs).as(conversation).isEqualTo(expected));
            long[] after = bus.batchesCommandsAndFallbacks();
            long batches = after[0] - before[0];
            long batched = after[1] - before[1];
            assertThat(batched).isEqualTo(answers.size());
            assertThat(batches).as("units of work for %d commands queued at once", batched).isLessThan(batched / 4);
            assertThat(after[2] - before[2]).as("batches that fell back to one command at a time").isZero();
        }
    }

    @Test
    void aCommandThatBreaksARuleFailsAloneAndTheOthersOfItsBatchAreStored() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir)) {
            CommandGateway commands = parley.bean(CommandGateway.class);
            BatchingCommandBus bus = parley.bean(BatchingCommandBus.class);
            String conversation = openConversations(commands, 1).get(0);
            String member = memberOf(conversation);
            long fallbacksBefore = bus.batchesCommandsAndFallbacks()[2];

            List<CompletableFuture<SendResult>> answers = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                String sender = i == 100 ? "mallory" : member;
                answers.add(commands.send(new SendMessage(conversation, sender, "c" + i, "n" + i)));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).handle((r, e) -> null)
                    .get(60, TimeUnit.SECONDS);

            assertThat(answers.get(99)).failsWithin(0, TimeUnit.SECONDS).withThrowableThat()
                    .havingCause().isInstanceOf(CommandExecutionException.class)
                    .withMessageContaining("only members may send");
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                if (i != 99) {
                    seqs.add(answers.get(i).get().seq());
                }
            }
            assertThat(seqs).as("the others, in the order sent").isSorted().doesNotHaveDuplicates()
                    .startsWith(1L).endsWith(199L);
            assertThat(eventsOf(parley.bean(EventHistory.class), conversation))
                    .as("the opening and the 199 messages, each stored once").isEqualTo(200);
            assertThat(bus.batchesCommandsAndFallbacks()[2] - fallbacksBefore)
                    .as("the batch holding the refused send ran again one command at a time").isPositive();
        }
    }

    /** Direct conversations between pairs of new users, "batch-a{i}" and "batch-b{i}". */
    private static List<String> openConversations(CommandGateway commands, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String a = "batch-a" + i;
            String b = "batch-b" + i;
            MEMBERS.put(ConversationIds.direct(a, b), a);
            String id = ConversationIds.direct(a, b);
            commands.sendAndWait(new OpenDirectConversation(id, a, b));
            ids.add(id);
        }
        return ids;
    }

    private static final Map<String, String> MEMBERS = new ConcurrentHashMap<>();

    private static String memberOf(String conversation) {
        return MEMBERS.get(conversation);
    }

    /** The conversation's stored events, read from the event store as audit reads it (the table or the log). */
    private static long eventsOf(EventHistory history, String conversation) {
        return history.page(conversation, -1, Integer.MAX_VALUE).size();
    }

    private static boolean stored(EventHistory history, String conversation, long seq) {
        return history.page(conversation, seq - 1, 2).stream().filter(event -> event.sequenceNumber() == seq)
                .count() == 1;
    }
}
