import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Example analytics consumer: messages per hour per conversation, from Parley's event stream.
 * <p>
 * Reads {@code GET /api/streams/events?types=MessageSent&after=POSITION} (ANALYST role, Server-Sent Events) and keeps its counts
 * and the position of the last event counted (opaque text, the event's SSE id) in one state file, replaced atomically
 * after every event. After a restart (or a crash) it resumes after that position, so each event is counted exactly
 * once: the server resumes exactly there, also for events that committed late with a lower global index.
 * <p>
 * A single file on the JDK alone (no dependencies), run as
 * {@code java MessagesPerHour.java BASE_URL TOKEN STATE_FILE [--max-events N] [--idle-seconds S]}:
 * {@code --max-events} stops after N events (a stand-in for a crash), {@code --idle-seconds} stops when nothing
 * arrived for S seconds (otherwise it follows the live stream forever). On exit it prints
 * {@code conversationId,hour,count} lines.
 */
public class MessagesPerHour {

    private static final Pattern POSITION = Pattern.compile("\"position\":\"([^\"]+)\"");
    private static final Pattern CONVERSATION = Pattern.compile("\"aggregateId\":\"([^\"]+)\"");
    private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\":\"([^\"]+)\"");
    private static final String END = "";

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java MessagesPerHour.java BASE_URL TOKEN STATE_FILE"
                    + " [--max-events N] [--idle-seconds S]");
            System.exit(2);
        }
        String base = args[0];
        String bearer = args[1];
        Path stateFile = Path.of(args[2]);
        long maxEvents = Long.MAX_VALUE;
        long idleSeconds = 0;
        for (int i = 3; i + 1 < args.length; i += 2) {
            if (args[i].equals("--max-events")) {
                maxEvents = Long.parseLong(args[i + 1]);
            } else if (args[i].equals("--idle-seconds")) {
                idleSeconds = Long.parseLong(args[i + 1]);
            }
        }

        State state = State.load(stateFile);
        String url = base + "/api/streams/events?types=MessageSent"
                + (state.position.equals("-1") ? "" : "&after=" + state.position);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + bearer)
                .header("Accept", "text/event-stream")
                .GET().build();
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("stream refused: HTTP " + response.statusCode());
        }

        // A reader thread hands lines over a small bounded queue: when we are slow, it stops reading, TCP fills,
        // and the server stops pulling events for us (backpressure end to end).
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(16);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    // Server-Sent Events: the JSON is on the data line (id and event repeat what it holds; lines
                    // starting with ':' are comments that keep the stream alive)
                    if (line.startsWith("data:")) {
                        lines.put(line.substring(5).trim());
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // closing the stream on exit ends here
            }
            lines.offer(END);
        }, "stream-reader");
        reader.setDaemon(true);
        reader.start();

        long counted = 0;
        while (counted < maxEvents) {
            String line = idleSeconds > 0 ? lines.poll(idleSeconds, TimeUnit.SECONDS) : lines.take();
            if (line == null || line == END) {
                break;
            }
            String hour = Instant.parse(find(TIMESTAMP, line)).truncatedTo(ChronoUnit.HOURS).toString();
            state.counts.merge(find(CONVERSATION, line) + "," + hour, 1L, Long::sum);
            state.position = find(POSITION, line);
            state.save(stateFile);
            counted++;
        }
        state.counts.forEach((key, count) -> System.out.println(key + "," + count));
        System.exit(0);
    }

    private static String find(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("unexpected line: " + line);
        }
        return m.group(1);
    }

    /** The position of the last event counted and the counts, saved together so they never disagree. */
    static final class State {
        String position = "-1";
        final Map<String, Long> counts = new TreeMap<>();

        static State load(Path file) throws IOException {
            State state = new State();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("token=")) {
                        state.position = line.substring(6).trim();
                    } else if (!line.isBlank()) {
                        int last = line.lastIndexOf(',');
                        state.counts.put(line.substring(0, last), Long.parseLong(line.substring(last + 1)));
                    }
                }
            }
            return state;
        }

        void save(Path file) throws IOException {
            List<String> out = new ArrayList<>();
            out.add("token=" + position);
            counts.forEach((key, count) -> out.add(key + "," + count));
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temp, out);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
