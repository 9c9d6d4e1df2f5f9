package io.parley.bench.inprocess;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.MemberRole;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.notify.NotificationProperties;
import io.parley.notify.NotificationsSchema;
import io.parley.notify.TargetAddresses;
import io.parley.notify.TargetKind;
import io.parley.notify.processor.NotificationDispatcher;
import io.parley.notify.processor.NotificationProcessor;
import io.parley.notify.sender.Http;
import io.parley.notify.sender.WebhookSender;
import io.parley.notify.store.DeliveryStore;
import io.parley.notify.store.DeviceRegistry;
import io.parley.notify.store.NotificationSettings;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Notifications for one group message to 1,000 recipients who are not connected, each with a webhook on a receiver on
 * 127.0.0.1 (the notification module's own parts: the processor on an H2 file database, the dispatcher, the webhook
 * sender; no Axon, no web server), one of whose endpoints takes 2 s to answer. Prints how long the processor took to
 * decide (the pending notifications written in one transaction, as the event processor would), how long until every
 * fast endpoint had its notification, the rate end to end, and when the slow one answered.
 * <p>
 * {@code java -cp bench/target/... io.parley.bench.inprocess.NotificationBench [recipients]}
 */
public final class NotificationBench {

    private NotificationBench() {
    }

    public static void main(String[] args) throws Exception {
        int recipients = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        // first every endpoint fast (the baseline), then with one answering after 2 s
        for (boolean slow : new boolean[]{false, true}) {
            Path dir = Files.createTempDirectory("parley-notification-bench");
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("bench").toAbsolutePath() + ";MAX_LENGTH_INPLACE_LOB=8192");
            config.setUsername("sa");
            config.setMaximumPoolSize(8);
            try (HikariDataSource dataSource = new HikariDataSource(config)) {
                run(dataSource, recipients, slow);
            }
        }
    }

    static void run(HikariDataSource dataSource, int recipients, boolean slowOne) throws Exception {
        NotificationsSchema.migrate(dataSource);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        NotificationProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "parley.notifications.delay", "1s",
                "parley.notifications.poll-interval", "20ms",
                "parley.notifications.request-timeout", "10s",
                "parley.notifications.allow-plain-http", "true",
                "parley.notifications.allow-private-addresses", "true"))) // the receivers are on 127.0.0.1
                .bind("parley.notifications", Bindable.of(NotificationProperties.class)).get();

        // the receivers: endpoint 0 takes 2 s per request
        long[] arrivedAt = new long[recipients];
        Map<Integer, Boolean> seen = new ConcurrentHashMap<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/hook/", exchange -> {
            int index = Integer.parseInt(exchange.getRequestURI().getPath().substring("/hook/".length()));
            exchange.getRequestBody().readAllBytes();
            if (slowOne && index == 0) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            arrivedAt[index] = System.nanoTime();
            seen.put(index, true);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook/";

        DeviceRegistry registry = new DeviceRegistry(jdbc, tx, EnumSet.of(TargetKind.WEBHOOK), true,
                new TargetAddresses(properties.allowPrivateAddresses()), 20);
        NotificationProcessor processor = new NotificationProcessor(jdbc, properties, Clock.systemUTC());
        List<Member> members = new ArrayList<>();
        members.add(new Member("sender", MemberRole.OWNER));
        for (int i = 0; i < recipients; i++) {
            members.add(new Member("user-" + i, MemberRole.MEMBER));
            registry.register("user-" + i, TargetKind.WEBHOOK, base + i, null, null, null);
        }
        tx.executeWithoutResult(status -> {
            processor.on(new UserRegistered("sender", "sender", "Sender", Instant.now()));
            processor.on(new GroupCreated("big", "Everyone", "sender", members, Instant.now()));
        });

        // decide: one MessageSent, as the event processor handles it (one transaction)
        Instant sentAt = Instant.now().minus(properties.delay()); // due at once
        long start = System.nanoTime();
        tx.executeWithoutResult(status -> processor.on(new MessageSent("big", "m-1", 1, "sender", "c-1", "hello all",
                List.of(), sentAt, List.of(), null), sentAt));
        long decided = System.nanoTime();

        // send
        NotificationDispatcher dispatcher = new NotificationDispatcher(jdbc, tx, registry, new NotificationSettings(jdbc),
                new DeliveryStore(jdbc), user -> false,
                List.of(new WebhookSender(Http.client(Duration.ofSeconds(5), Executors.newFixedThreadPool(2)),
                        properties.requestTimeout(), Clock.systemUTC(),
                        new TargetAddresses(properties.allowPrivateAddresses()))), properties, Clock.systemUTC());
        long sendStart = System.nanoTime();
        dispatcher.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (seen.size() < recipients && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        dispatcher.stop();
        server.stop(0);

        long[] fast = Arrays.stream(arrivedAt, 1, recipients).map(t -> t - sendStart).sorted().toArray();
        double decideMs = (decided - start) / 1e6;
        double fastAllMs = fast[fast.length - 1] / 1e6;
        double slowMs = (arrivedAt[0] - sendStart) / 1e6;
        System.out.printf("notification bench: %d recipients of one group message, webhooks on 127.0.0.1, %s%n",
                recipients, slowOne ? "endpoint 0 answering after 2 s" : "every endpoint answering at once");
        System.out.printf("  decide (processor, one transaction): %.0f ms = %.0f recipients/s%n", decideMs,
                recipients / (decideMs / 1000));
        System.out.printf("  send: all %d fast endpoints had theirs after %.0f ms (p50 %.0f ms, p99 %.0f ms)%n",
                fast.length, fastAllMs, fast[fast.length / 2] / 1e6, fast[(int) (fast.length * 0.99)] / 1e6);
        System.out.printf("  end to end (decide + send, without the quiet period): %.0f notifications/s%n",
                recipients / ((decideMs + fastAllMs) / 1000));
        System.out.printf("  endpoint 0 answered after %.0f ms%n", slowMs);
        System.out.printf("  sent (accepted) by the dispatcher: %d%n", dispatcher.sentCount());
    }
}
