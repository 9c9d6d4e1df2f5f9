package io.parley.bench.bound;

import io.parley.bench.load.Api;
import io.parley.bench.load.Frame;
import io.parley.bench.load.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bound answers the load generator as Parley would for the frames it uses, so that what the benchmark measures
 * against it is the same work (real sockets, the generator's own clients).
 */
class PipelineBoundTest {

    @TempDir
    Path dir;

    private PipelineBound bound;

    @AfterEach
    void stop() {
        if (bound != null) {
            bound.stop();
        }
    }

    /** The in-process benchmarks' application scans {@code io.parley}: none of the bound's beans may join it. */
    @Test
    void theInProcessBenchmarksComponentScanFindsNothingOfTheBound() {
        assertThat(new ClassPathScanningCandidateComponentProvider(true)
                .findCandidateComponents(PipelineBound.class.getPackageName())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(names = {"LOG", "FULL", "SQL", "LOG_SQL"})
    void aSendIsAcknowledgedAndDeliveredOnlyOnceItsGroupIsWritten(PipelineBound.Stage stage) throws Exception {
        bound = PipelineBound.start(stage, dir, 0);
        Chatters chatters = chatters();
        bound.holdWrites();

        chatters.ada.send(send("m1", chatters.conversationId, "hello"));

        try {
            assertThat(chatters.adaFrames.queue.poll(500, TimeUnit.MILLISECONDS)).as("a frame before the write")
                    .isNull();
            assertThat(chatters.bobFrames.queue.poll(10, TimeUnit.MILLISECONDS)).as("a frame before the write")
                    .isNull();
            assertThat(bound.committed()).isZero();
        } finally {
            bound.releaseWrites();
        }
        Frame ack = chatters.adaFrames.next("ack");
        assertThat(ack.id).isEqualTo("m1");
        assertThat(ack.seq).isEqualTo(1);
        assertThat(bound.committed()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(names = {"FULL", "SQL"})
    void messagesReachBothMembersInSeqOrderAndTheReadModelCountsTheRecipientsUnread(PipelineBound.Stage stage)
            throws Exception {
        bound = PipelineBound.start(stage, dir, 0);
        Chatters chatters = chatters();

        chatters.ada.send(send("m1", chatters.conversationId, "hello"));
        chatters.ada.send(send("m2", chatters.conversationId, "again"));

        Frame first = chatters.bobFrames.next("message");
        Frame second = chatters.bobFrames.next("message");
        assertThat(List.of(first.seq, second.seq)).containsExactly(1L, 2L);
        assertThat(first.text).isEqualTo("hello");
        assertThat(first.senderId).isEqualTo(chatters.adaId);
        assertThat(chatters.adaFrames.next("ack").id).isEqualTo("m1");
        assertThat(chatters.adaFrames.next("message").seq).isEqualTo(1); // the sender's own copy
        assertThat(chatters.adaFrames.next("ack").id).isEqualTo("m2"); // written and projected (before the frames)
        assertThat(bound.unread(chatters.conversationId, chatters.bobId)).isEqualTo(2);
        assertThat(bound.unread(chatters.conversationId, chatters.adaId)).isZero();
    }

    @Test
    void theReadModelFollowsTheLogAtStageLogSql() throws Exception {
        bound = PipelineBound.start(PipelineBound.Stage.LOG_SQL, dir, 0);
        Chatters chatters = chatters();

        chatters.ada.send(send("m1", chatters.conversationId, "hello"));
        chatters.ada.send(send("m2", chatters.conversationId, "again"));
        chatters.adaFrames.next("ack");
        chatters.adaFrames.next("ack");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bound.projected() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(bound.projected()).isEqualTo(2);
        assertThat(bound.unread(chatters.conversationId, chatters.bobId)).isEqualTo(2);
    }

    @Test
    void theLoggedEventKeepsNoPlainTextAtStageFull() throws Exception {
        bound = PipelineBound.start(PipelineBound.Stage.FULL, dir, 0);
        Chatters chatters = chatters();

        chatters.ada.send(send("m1", chatters.conversationId, "a secret only bob may read"));
        chatters.adaFrames.next("ack");

        String log = Files.readString(dir.resolve("events.log"), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(log).contains("enc:v1:").contains("\"hash\":").doesNotContain("a secret only bob may read");
    }

    @Test
    void aSendToAConversationTheSenderIsNotInIsRefused() throws Exception {
        bound = PipelineBound.start(PipelineBound.Stage.LOG, dir, 0);
        Chatters chatters = chatters();
        Api api = new Api("http://127.0.0.1:" + bound.port(), 2);
        Api.User eve = api.registerAndLogin("eve");
        Frames eveFrames = new Frames();
        Socket eveSocket = connect(eve.userId(), eve.token(), eveFrames);

        eveSocket.send(send("x", chatters.conversationId, "let me in"));

        Frame error = eveFrames.next("error");
        assertThat(error.code).isEqualTo("FORBIDDEN");
        assertThat(bound.committed()).isZero();
    }

    @Test
    void aSetUpRequestWithoutItsFieldsIsRefusedWithAReason() throws Exception {
        bound = PipelineBound.start(PipelineBound.Stage.RELAY, dir, 0);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

        java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + bound.port() + "/api/users"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("username and password are required");
    }

    private static String send(String id, String conversationId, String text) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"conversationId\":\"" + conversationId
                + "\",\"text\":\"" + text + "\"}";
    }

    private record Chatters(String adaId, String bobId, String conversationId, Socket ada, Frames adaFrames,
                            Frames bobFrames) {
    }

    private Chatters chatters() throws IOException {
        Api api = new Api("http://127.0.0.1:" + bound.port(), 2);
        Api.User ada = api.registerAndLogin("ada");
        Api.User bob = api.registerAndLogin("bob");
        String conversationId = api.openDirect(ada, bob);
        Frames adaFrames = new Frames();
        Frames bobFrames = new Frames();
        Socket adaSocket = connect(ada.userId(), ada.token(), adaFrames);
        connect(bob.userId(), bob.token(), bobFrames);
        return new Chatters(ada.userId(), bob.userId(), conversationId, adaSocket, adaFrames, bobFrames);
    }

    private Socket connect(String userId, String token, Frames frames) {
        return Socket.open("ws://127.0.0.1:" + bound.port() + "/ws", userId, token, 0, null,
                (socket, text) -> frames.queue.add(Frame.parse(text))).block(Duration.ofSeconds(10));
    }

    /** What one socket received, in order. */
    private static final class Frames {
        final BlockingQueue<Frame> queue = new LinkedBlockingQueue<>();

        /** The next frame of this type (others before it are passed over); fails after 10 s. */
        Frame next(String type) throws InterruptedException {
            while (true) {
                Frame frame = queue.poll(10, TimeUnit.SECONDS);
                assertThat(frame).as("a %s frame within 10 s", type).isNotNull();
                if (type.equals(frame.type)) {
                    return frame;
                }
            }
        }
    }
}
