import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small scenario for check-dashboard.sh, with the JDK only ({@code java Scenario.java http://localhost:8080 20 30}):
 * registers two users, opens a socket for each ({@code access_token} query parameter, as browsers do), has the first
 * send N messages to the second over its socket, waits for every ack and every delivery, has one HTTP send too, and keeps both sockets open for the given seconds
 * (so the gauges of open sockets and users online show them when scraped).
 */
public class Scenario {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://localhost:8080";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int holdSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        String run = UUID.randomUUID().toString().substring(0, 8);
        String[] alice = user(base, "alice-" + run);
        String[] bob = user(base, "bob-" + run);
        String conversation = field(post(base + "/api/conversations/direct", alice[0],
                "{\"userId\":\"" + bob[1] + "\"}"), "conversationId");

        CountDownLatch acks = new CountDownLatch(count);
        CountDownLatch delivered = new CountDownLatch(count);
        WebSocket aliceSocket = socket(base, alice[0], frame -> {
            if (frame.contains("\"type\":\"ack\"")) acks.countDown();
        });
        WebSocket bobSocket = socket(base, bob[0], frame -> {
            if (frame.contains("\"type\":\"message\"")) delivered.countDown();
        });
        for (int i = 0; i < count; i++) {
            aliceSocket.sendText("{\"type\":\"send\",\"id\":\"" + UUID.randomUUID() + "\",\"conversationId\":\""
                    + conversation + "\",\"text\":\"hello " + i + "\"}", true).join();
            Thread.sleep(100); // 10 a second: under the default send limit of 20
        }
        if (!acks.await(30, TimeUnit.SECONDS) || !delivered.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("missing: " + acks.getCount() + " acks, " + delivered.getCount()
                    + " deliveries");
        }
        post(base + "/api/conversations/" + conversation + "/messages", bob[0],
                "{\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"over HTTP\"}");
        System.out.println("scenario: 2 users, " + count + " messages over the socket (all acked and delivered), "
                + "1 over HTTP; sockets held open " + holdSeconds + " s");
        Thread.sleep(holdSeconds * 1000L);
        aliceSocket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        bobSocket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    /** Registers a user and logs in: {token, userId}. */
    private static String[] user(String base, String name) throws Exception {
        post(base + "/api/users", null, "{\"username\":\"" + name + "\",\"password\":\"a-long-password-1\","
                + "\"displayName\":\"" + name + "\"}");
        String session = post(base + "/api/sessions", null,
                "{\"username\":\"" + name + "\",\"password\":\"a-long-password-1\"}");
        return new String[]{field(session, "token"), field(session, "userId")};
    }

    private static String post(String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + url + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private static WebSocket socket(String base, String token, java.util.function.Consumer<String> frames) {
        URI uri = URI.create(base.replaceFirst("^http", "ws") + "/ws?access_token=" + token);
        return HTTP.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    frames.accept(text.toString());
                    text.setLength(0);
                }
                socket.request(1);
                return null;
            }
        }).join();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) throw new IllegalStateException("no " + name + " in " + json);
        return m.group(1);
    }
}
