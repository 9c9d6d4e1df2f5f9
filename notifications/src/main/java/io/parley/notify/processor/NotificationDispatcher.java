package io.parley.notify.processor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.eventstore.erasure.TextSeal;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.notify.NotificationProperties;
import io.parley.notify.PresencePort;
import io.parley.notify.PushTarget;
import io.parley.notify.TargetKind;
import io.parley.notify.sender.OutgoingNotification;
import io.parley.notify.sender.PushSender;
import io.parley.notify.sender.SendOutcome;
import io.parley.notify.store.DeliveryStore;
import io.parley.notify.store.DeliveryStore.Delivery;
import io.parley.notify.store.DeviceRegistry;
import io.parley.notify.store.NotificationSettings;
import io.parley.notify.store.NotificationSettings.AccountSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends what the {@link NotificationProcessor} decided, in two steps on one scheduler thread:
 * <ol>
 * <li>Due pending notifications: a recipient connected right now gets none (they see the message live); otherwise
 * the notification becomes one delivery per target of theirs (the outbox, {@link DeliveryStore}), in one transaction
 * with the removal of the pending row, guarded by its last seq so a message that joined it meanwhile is not lost.</li>
 * <li>Due deliveries: each is claimed and handed to its kind's {@link PushSender}; the answer arrives asynchronously.
 * At most {@code per-target-concurrency} sends are in flight to one target and {@code max-in-flight} in all, each
 * bounded by {@code request-timeout}, so a slow endpoint holds its own slots and never the others. A failure is
 * retried after an exponential backoff with jitter ({@link #backoff}); after {@code max-attempts} the delivery is a
 * dead letter. A target the platform calls gone is removed.</li>
 * </ol>
 */
public class NotificationDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NotificationDispatcher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 1000;
    private static final int CHUNK = 100;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final DeviceRegistry registry;
    private final NotificationSettings settings;
    private final DeliveryStore deliveries;
    private final PresencePort presence;
    private final Map<TargetKind, PushSender> senders = new EnumMap<>(TargetKind.class);
    private final NotificationProperties properties;
    private final Clock clock;
    private final Map<String, AtomicInteger> inFlightPerTarget = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong suppressedOnline = new AtomicLong();
    private final TextSeal seal;
    private volatile ScheduledExecutorService scheduler;
    private volatile ExecutorService completions;

    public NotificationDispatcher(JdbcTemplate jdbc, TransactionTemplate tx, DeviceRegistry registry,
                                  NotificationSettings settings, DeliveryStore deliveries, PresencePort presence,
                                  List<PushSender> senders, NotificationProperties properties, Clock clock) {
        this(jdbc, tx, registry, settings, deliveries, presence, senders, properties, clock, null);
    }

    /**
     * @param seal opens the pending previews and seals an outbox payload that holds preview text under its sender's
     *             erasure key (null: erasure is off, kept as they are)
     */
    public NotificationDispatcher(JdbcTemplate jdbc, TransactionTemplate tx, DeviceRegistry registry,
                                  NotificationSettings settings, DeliveryStore deliveries, PresencePort presence,
                                  List<PushSender> senders, NotificationProperties properties, Clock clock,
                                  TextSeal seal) {
        this.seal = seal;
        this.jdbc = jdbc;
        this.tx = tx;
        this.registry = registry;
        this.settings = settings;
        this.deliveries = deliveries;
        this.presence = presence;
        senders.forEach(sender -> this.senders.put(sender.kind(), sender));
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "notification-dispatcher"));
        completions = Executors.newFixedThreadPool(2, r -> daemon(r, "notification-completions"));
        long every = Math.max(10, properties.pollInterval().toMillis());
        scheduler.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            completions.shutdown();
            try {
                completions.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    /** Notifications accepted by their targets since start. */
    public long sentCount() {
        return sent.get();
    }

    /** Notifications not sent because the recipient was connected when they fell due. */
    public long suppressedOnlineCount() {
        return suppressedOnline.get();
    }

    void tick() {
        try {
            promoteDue();
            sendDue();
        } catch (RuntimeException e) {
            log.warn("notification dispatch failed; trying again at the next tick", e);
        }
    }

    private record Pending(String userId, String conversationId, String senderId, String messageId, long firstSeq,
                           long lastSeq, int count, String preview, boolean mentioned, String conversationKind,
                           String conversationName, String senderName) {
    }

    void promoteDue() {
        Instant now = clock.instant();
        List<Pending> due = jdbc.query("SELECT p.user_id, p.conversation_id, p.sender_id, p.message_id, p.first_seq,"
                        + " p.last_seq, p.message_count, p.preview, p.mentioned, c.kind, c.name, u.display_name"
                        + " FROM ntf_pending p LEFT JOIN ntf_conversations c ON c.conversation_id = p.conversation_id"
                        + " LEFT JOIN ntf_users u ON u.user_id = p.sender_id WHERE p.due_at <= ?"
                        + " ORDER BY p.due_at LIMIT " + BATCH,
                (rs, n) -> new Pending(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getLong(5), rs.getLong(6), rs.getInt(7), opened(NotificationProcessor.previewContext(
                        rs.getString(2), rs.getString(4)), rs.getString(8)), rs.getBoolean(9),
                        rs.getString(10), rs.getString(11), rs.getString(12)),
                new org.springframework.jdbc.core.SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
                        OffsetDateTime.ofInstant(now, ZoneOffset.UTC)));
        // in chunks, each one transaction, with the sends of each chunk started before the next: a message to a
        // thousand recipients starts reaching the first of them at once
        for (int from = 0; from < due.size(); from += CHUNK) {
            List<Pending> chunk = due.subList(from, Math.min(due.size(), from + CHUNK));
            Map<String, Boolean> connected = new java.util.HashMap<>();
            for (Pending pending : chunk) {
                connected.computeIfAbsent(pending.userId(), presence::isConnected);
            }
            tx.executeWithoutResult(status -> {
                for (Pending pending : chunk) {
                    promote(pending, connected.get(pending.userId()), now);
                }
            });
            if (from + CHUNK < due.size()) {
                sendDue();
            }
        }
    }

    private void promote(Pending pending, boolean connected, Instant now) {
        // The row is locked without waiting, and skipped when the notification processor's open batch holds it: the
        // processor changes rows in event order and this chunk in due order, so waiting could deadlock the two (seen
        // under load: H2 "Deadlock detected", the chunk rolled back). Never waiting, this transaction cannot be part
        // of a cycle; the row is changing anyway, and the next tick sees its new state.
        List<Long> lastSeq = jdbc.queryForList("SELECT last_seq FROM ntf_pending WHERE user_id = ?"
                + " AND conversation_id = ? FOR UPDATE SKIP LOCKED", Long.class, pending.userId(),
                pending.conversationId());
        if (lastSeq.isEmpty() || lastSeq.get(0) != pending.lastSeq()) {
            return; // being changed, read, or joined by a newer message meanwhile: the next tick sees its state
        }
        jdbc.update("DELETE FROM ntf_pending WHERE user_id = ? AND conversation_id = ?", pending.userId(),
                pending.conversationId());
        if (connected) {
            suppressedOnline.incrementAndGet();
            return;
        }
        String payload = payload(pending, settings.account(pending.userId()));
        if (seal != null && pending.preview() != null && payload.contains("\"text\"")) {
            // the outbox row (and a dead letter) holds the sender's words: sealed under their key, like the timeline
            payload = seal.seal(pending.senderId(), payloadContext(pending.userId(), pending.conversationId()),
                    payload);
            if (payload == null) {
                return; // the sender was erased meanwhile: their words are not kept
            }
        }
        String notificationId = UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        deliveries.enqueueForTargetsOf(pending.userId(), notificationId, pending.conversationId(), payload, now);
    }

    /**
     * The notification as every platform gets it: {@code title} and {@code body} ready to show, and the fields they are
     * made of. Without the preview setting there is no text in it; without the sender setting no sender.
     */
    static String payload(Pending p, AccountSettings account) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "message");
        node.put("conversationId", p.conversationId());
        boolean group = "group".equals(p.conversationKind());
        if (group && p.conversationName() != null) {
            node.put("conversationName", p.conversationName());
        }
        node.put("messageId", p.messageId());
        node.put("firstSeq", p.firstSeq());
        node.put("lastSeq", p.lastSeq());
        node.put("count", p.count());
        node.put("mentioned", p.mentioned());
        String sender = account.showSender() ? (p.senderName() != null ? p.senderName() : "Someone") : null;
        if (sender != null) {
            node.put("senderId", p.senderId());
            node.put("sender", sender);
        }
        String title = sender == null ? (group && p.conversationName() != null ? p.conversationName() : "Parley")
                : group && p.conversationName() != null ? sender + " in " + p.conversationName() : sender;
        String body;
        if (account.showPreview() && p.preview() != null) {
            node.put("text", p.preview());
            body = p.count() > 1 ? p.preview() + " (+" + (p.count() - 1) + " more)" : p.preview();
        } else {
            body = p.count() > 1 ? p.count() + " new messages" : "New message";
        }
        node.put("title", title);
        node.put("body", body);
        node.put("url", "/?conversation=" + java.net.URLEncoder.encode(p.conversationId(),
                java.nio.charset.StandardCharsets.UTF_8));
        return node.toString();
    }

    /** Where an outbox payload sealed for this recipient and conversation lives (the associated data of the seal). */
    static String payloadContext(String userId, String conversationId) {
        return "ntf-delivery:" + userId + "/" + conversationId;
    }

    /** A stored preview or payload as written: opened when sealed (null once its sender is erased). */
    private String opened(String context, String stored) {
        return seal == null || !TextSeal.isSealed(stored) ? stored : seal.open(context, stored);
    }

    void sendDue() {
        Instant now = clock.instant();
        for (Delivery delivery : deliveries.due(now, BATCH)) {
            if (inFlight.get() >= properties.maxInFlight()) {
                return;
            }
            AtomicInteger perTarget = inFlightPerTarget.computeIfAbsent(delivery.targetId(), id -> new AtomicInteger());
            if (perTarget.get() >= properties.perTargetConcurrency()) {
                continue;
            }
            Instant claimUntil = now.plus(properties.requestTimeout()).plus(properties.requestTimeout());
            if (!deliveries.claim(delivery.deliveryId(), now, claimUntil)) {
                continue;
            }
            Optional<PushTarget> target = Optional.ofNullable(delivery.target());
            if (target.isEmpty()) {
                deliveries.delivered(delivery.deliveryId()); // its target was removed meanwhile
                continue;
            }
            String payload = opened(payloadContext(delivery.userId(), delivery.conversationId()), delivery.payload());
            if (payload == null) {
                deliveries.delivered(delivery.deliveryId()); // its preview's sender was erased: nothing to send
                continue;
            }
            PushSender sender = senders.get(target.get().kind());
            if (sender == null) {
                deliveries.deadLetter(delivery.deliveryId(), delivery.attempts(),
                        target.get().kind().wireName() + " is not configured on this server", now);
                continue;
            }
            perTarget.incrementAndGet();
            inFlight.incrementAndGet();
            CompletableFuture<SendOutcome> outcome;
            try {
                outcome = sender.send(target.get(), new OutgoingNotification(delivery.deliveryId(),
                        delivery.conversationId(), payload));
            } catch (RuntimeException e) {
                outcome = CompletableFuture.failedFuture(e);
            }
            outcome.orTimeout(properties.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((result, error) -> {
                        try {
                            complete(delivery, target.get(), result, error);
                        } catch (RuntimeException e) {
                            log.warn("could not record the outcome of delivery {}", delivery.deliveryId(), e);
                        } finally {
                            perTarget.decrementAndGet();
                            inFlight.decrementAndGet();
                        }
                    }, completions);
        }
    }

    /** What each send came to, by platform: registered once, looked up by two enum ordinals per send. */
    private Counter[][] outcomes;

    private static final String[] OUTCOMES = {"sent", "gone", "rejected", "failed"};

    /**
     * Counts sends on {@code registry}: {@code parley_notifications_total{platform, outcome}} with {@code outcome}
     * sent, gone (the target was removed), rejected (dead-lettered at once) or failed (to be retried, or
     * dead-lettered after the last attempt).
     */
    public NotificationDispatcher countOn(MeterRegistry registry) {
        Counter[][] counters =
                new Counter[TargetKind.values().length][OUTCOMES.length];
        for (TargetKind kind : TargetKind.values()) {
            for (int i = 0; i < OUTCOMES.length; i++) {
                counters[kind.ordinal()][i] = Counter.builder("parley.notifications")
                        .description("Push notifications sent to a platform, by outcome")
                        .tag("platform", kind.wireName()).tag("outcome", OUTCOMES[i]).register(registry);
            }
        }
        outcomes = counters;
        return this;
    }

    private void count(PushTarget target, int outcome) {
        if (outcomes != null) {
            outcomes[target.kind().ordinal()][outcome].increment();
        }
    }

    private void complete(Delivery delivery, PushTarget target, SendOutcome result, Throwable error) {
        Instant now = clock.instant();
        SendOutcome outcome = error == null ? result : new SendOutcome.Retry(reason(error));
        count(target, outcome instanceof SendOutcome.Delivered ? 0 : outcome instanceof SendOutcome.Gone ? 1
                : outcome instanceof SendOutcome.Rejected ? 2 : 3);
        if (outcome instanceof SendOutcome.Delivered) {
            deliveries.delivered(delivery.deliveryId());
            sent.incrementAndGet();
        } else if (outcome instanceof SendOutcome.Gone gone) {
            log.info("push target {} ({}) is gone ({}); removed", target.targetId(), target.kind().wireName(),
                    gone.reason());
            registry.removeGone(target.targetId());
        } else if (outcome instanceof SendOutcome.Rejected rejected) {
            deliveries.deadLetter(delivery.deliveryId(), delivery.attempts() + 1, "refused: " + rejected.reason(), now);
        } else if (outcome instanceof SendOutcome.Retry retry) {
            int attempts = delivery.attempts() + 1;
            if (attempts >= properties.maxAttempts()) {
                log.info("delivery {} to target {} dead-lettered after {} attempts: {}", delivery.deliveryId(),
                        target.targetId(), attempts, retry.reason());
                deliveries.deadLetter(delivery.deliveryId(), attempts, retry.reason(), now);
            } else {
                deliveries.retryLater(delivery.deliveryId(), attempts, now.plus(backoff(attempts)), retry.reason());
            }
        }
    }

    /**
     * The wait after the {@code attempts}-th failed attempt: exponential ({@code base · 2^(attempts-1)}, capped at
     * {@code backoff-max}) with "equal jitter" (half of it fixed, half random), so retries of many targets that failed
     * together spread out, yet each waits at least half its step (AWS Architecture Blog, "Exponential Backoff and
     * Jitter", 2015).
     */
    Duration backoff(int attempts) {
        long base = properties.backoffBase().toMillis();
        long step = Math.min(properties.backoffMax().toMillis(), base << Math.min(30, attempts - 1));
        long half = step / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** The kind of failure without anything from the request (URLs can hold tokens). */
    private static String reason(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (cause instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return cause.getClass().getSimpleName();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }
}
