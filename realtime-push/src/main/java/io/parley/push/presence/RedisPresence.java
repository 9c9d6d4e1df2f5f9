package io.parley.push.presence;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.parley.api.wire.ServerFrames;
import io.parley.push.Backend;
import io.parley.push.socket.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Presence and typing across push nodes, through Redis ({@code parley.presence=redis}).
 * <ul>
 *   <li><b>Online</b> is a per-user counter of the nodes holding a socket of the user ({@code online:<user>}). A node
 *   counts a user once, in its own set ({@code node:<id>:users}); a Lua script adds to the set and increments in one
 *   step, so the first socket anywhere (counter 1) announces "online" and the last one closing (counter 0)
 *   "offline", exactly once however the sockets are spread.</li>
 *   <li><b>Crashed nodes</b> do not leave users online for ever: each node refreshes a heartbeat key with a TTL; any
 *   node that finds a registered node's heartbeat gone reaps it in one script (decrements its users, deletes its set)
 *   and announces the users who went offline. A node that was reaped while alive (a long pause) notices at its next
 *   heartbeat and registers its users again.</li>
 *   <li><b>Frames</b> (presence, typing) are published on one channel with their recipients; every node delivers
 *   them to the recipients' sockets it holds, through {@link Outbox} (presence coalesced per recipient by
 *   {@link PresenceBatcher}). The node where the change happened decides
 *   the recipients (contacts for presence, other members for typing), so a change costs one query, not one per
 *   node.</li>
 *   <li><b>Last seen</b> is kept in Redis ({@code last-seen:<user>}) and, as with one node, in the edge's
 *   {@link LastSeenStore}, which answers when Redis has forgotten.</li>
 * </ul>
 * Redis calls are asynchronous where the caller may be an event-loop thread (socket open and close); the directory's
 * answers ({@link #isOnline}, {@link #lastSeen}) are asked on worker threads and wait briefly, falling back to what
 * this node knows when Redis does not answer.
 */
@Component
@ConditionalOnProperty(name = "parley.presence", havingValue = "redis")
class RedisPresence implements PresenceService, PresenceDirectory, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);

    /** KEYS: node users, online counter. ARGV: user. Returns the new count, or 0 if this node already counted them. */
    private static final String CONNECT = """
            if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
              return redis.call('INCR', KEYS[2])
            end
            return 0""";

    /**
     * KEYS: node users, online counter, last seen. ARGV: user, now (epoch ms). Returns the count left (0: offline
     * everywhere), or -1 if this node did not count the user.
     */
    private static final String DISCONNECT = """
            if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then
              return -1
            end
            local previous = tonumber(redis.call('GET', KEYS[3]) or '0')
            if tonumber(ARGV[2]) > previous then
              redis.call('SET', KEYS[3], ARGV[2])
            end
            local left = redis.call('DECR', KEYS[2])
            if left <= 0 then
              redis.call('DEL', KEYS[2])
              return 0
            end
            return left""";

    /** KEYS: heartbeat, node registry. ARGV: node id, ttl (ms). Returns 1 if the heartbeat was still there. */
    private static final String HEARTBEAT = """
            local existed = redis.call('EXISTS', KEYS[1])
            redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[1])
            return existed""";

    /**
     * KEYS: heartbeat, node users, node registry. ARGV: node id, now (epoch ms), key prefix. Reaps a node whose
     * heartbeat is gone: returns the users that this made offline everywhere. Does nothing for a live node.
     */
    private static final String REAP = """
            if redis.call('EXISTS', KEYS[1]) == 1 then
              return {}
            end
            local offline = {}
            for _, user in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              local counter = ARGV[3] .. 'online:' .. user
              local left = redis.call('DECR', counter)
              if left <= 0 then
                redis.call('DEL', counter)
                redis.call('SET', ARGV[3] .. 'last-seen:' .. user, ARGV[2])
                table.insert(offline, user)
              end
            end
            redis.call('DEL', KEYS[2])
            redis.call('SREM', KEYS[3], ARGV[1])
            return offline""";

    /** What travels on the channel: a presence change or a typing signal, with the users to deliver it to. */
    record News(String kind, String userId, String conversationId, Boolean online, Instant lastSeen, List<String> to) {
    }

    private final RedisClient redis;
    private final Backend backend;
    private final Audiences audiences;
    private final Outbox outbox;
    private final LastSeenStore store;
    private final ObjectMapper json;
    private final Duration heartbeat;
    private final String prefix;
    private final String nodeId = UUID.randomUUID().toString();
    private final Set<String> here = ConcurrentHashMap.newKeySet();
    private final Clock clock = Clock.systemUTC();
    private final PresenceBatcher batcher;
    private StatefulRedisConnection<String, String> connection;
    private StatefulRedisPubSubConnection<String, String> subscription;
    private ScheduledExecutorService timer;
    private volatile boolean running;
    /** Announcements on their way (query, then publish): a leaving node lets them out before it disconnects. */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    RedisPresence(RedisClient redis, Backend backend, Audiences audiences, Outbox outbox, LastSeenStore store,
                  PresenceBatcher batcher, ObjectMapper json, @Value("${parley.redis.key-prefix:parley}") String keyPrefix,
                  @Value("${parley.presence-heartbeat:5s}") Duration heartbeat) {
        this.redis = redis;
        this.backend = backend;
        this.audiences = audiences;
        this.outbox = outbox;
        this.store = store;
        this.batcher = batcher;
        this.json = json;
        this.prefix = keyPrefix + ":presence:";
        this.heartbeat = heartbeat;
    }

    // ---- keys

    private String channel() {
        return prefix + "news";
    }

    private String nodes() {
        return prefix + "nodes";
    }

    private String alive(String node) {
        return prefix + "node:" + node + ":alive";
    }

    private String usersOf(String node) {
        return prefix + "node:" + node + ":users";
    }

    private String online(String user) {
        return prefix + "online:" + user;
    }

    private String lastSeenKey(String user) {
        return prefix + "last-seen:" + user;
    }

    private RedisAsyncCommands<String, String> commands() {
        return connection.async();
    }

    // ---- lifecycle

    @Override
    public void start() {
        connection = redis.connect();
        subscription = redis.connectPubSub();
        subscription.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                receive(message);
            }
        });
        try {
            subscription.async().subscribe(channel()).get(10, TimeUnit.SECONDS);
            beat().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("presence: Redis not reachable", e);
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-presence-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tick, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        running = true;
        log.info("Presence shared through Redis as node {}", nodeId);
    }

    /** Leaves: this node's users count no more, and those online nowhere else are announced offline. */
    @Override
    public void stop() {
        running = false;
        if (timer != null) {
            timer.shutdownNow();
        }
        try {
            commands().del(alive(nodeId)).get(2, TimeUnit.SECONDS);
            reap(nodeId).get(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (pending.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("presence: could not leave cleanly; other nodes will reap this one", e);
        }
        subscription.close();
        connection.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops after the sockets have drained at shutdown (SocketDrain, {@code MAX_VALUE - 500}): the users whose last
     * socket the drain closed are recorded as gone while Redis is still connected.
     */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 600;
    }

    private java.util.concurrent.CompletableFuture<Long> beat() {
        return commands().<Long>eval(HEARTBEAT, ScriptOutputType.INTEGER,
                        new String[]{alive(nodeId), nodes()}, nodeId, Long.toString(heartbeat.toMillis() * 3))
                .toCompletableFuture();
    }

    private void tick() {
        try {
            long existed = beat().get(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
            if (existed == 0) {
                log.warn("presence: this node's heartbeat had expired; registering its {} users again", here.size());
                here.forEach(this::register);
            }
            for (String node : commands().smembers(nodes()).get(heartbeat.toMillis(), TimeUnit.MILLISECONDS)) {
                if (!node.equals(nodeId) && commands().exists(alive(node)).get(heartbeat.toMillis(),
                        TimeUnit.MILLISECONDS) == 0) {
                    reap(node).get(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (Exception e) {
            log.warn("presence heartbeat failed; retrying", e);
        }
    }

    private java.util.concurrent.CompletableFuture<Void> reap(String node) {
        Instant now = now();
        return commands().<List<Object>>eval(REAP, ScriptOutputType.MULTI,
                        new String[]{alive(node), usersOf(node), nodes()}, node,
                        Long.toString(now.toEpochMilli()), prefix)
                .toCompletableFuture()
                .thenAccept(offline -> {
                    if (!offline.isEmpty() && !node.equals(nodeId)) {
                        log.info("presence: node {} is gone; {} users went offline", node, offline.size());
                    }
                    offline.forEach(user -> announce(user.toString(), false, now));
                });
    }

    // ---- PresenceService

    @Override
    public void connected(String userId) {
        here.add(userId);
        register(userId);
    }

    private void register(String userId) {
        commands().<Long>eval(CONNECT, ScriptOutputType.INTEGER, new String[]{usersOf(nodeId), online(userId)}, userId)
                .whenComplete((count, failure) -> {
                    if (failure != null) {
                        log.warn("presence: could not record that {} is online", userId, failure);
                    } else if (count == 1) {
                        announce(userId, true, null);
                    }
                });
    }

    @Override
    public void disconnected(String userId) {
        here.remove(userId);
        Instant now = now();
        commands().<Long>eval(DISCONNECT, ScriptOutputType.INTEGER,
                        new String[]{usersOf(nodeId), online(userId), lastSeenKey(userId)},
                        userId, Long.toString(now.toEpochMilli()))
                .whenComplete((left, failure) -> {
                    if (failure != null) {
                        log.warn("presence: could not record that {} left", userId, failure);
                    } else if (left == 0) {
                        announce(userId, false, now);
                    }
                });
        Mono.fromRunnable(() -> store.record(userId, now)).subscribeOn(backend.workers())
                .subscribe(null, error -> log.warn("could not record when {} was last seen", userId, error));
    }

    @Override
    public void typing(String userId, String conversationId) {
        List<String> others = audiences.typingRecipients(userId, conversationId);
        if (!others.isEmpty()) {
            publish(new News("typing", userId, conversationId, null, null, others));
        }
    }

    // ---- PresenceDirectory

    @Override
    public boolean isOnline(String userId) {
        try {
            String count = commands().get(online(userId)).get(2, TimeUnit.SECONDS);
            return count != null && Long.parseLong(count) > 0;
        } catch (Exception e) {
            log.debug("presence: Redis did not answer; answering from this node", e);
            return here.contains(userId);
        }
    }

    @Override
    public Optional<Instant> lastSeen(String userId) {
        if (isOnline(userId)) {
            return Optional.of(now());
        }
        try {
            String millis = commands().get(lastSeenKey(userId)).get(2, TimeUnit.SECONDS);
            if (millis != null) {
                return Optional.of(Instant.ofEpochMilli(Long.parseLong(millis)));
            }
        } catch (Exception e) {
            log.debug("presence: Redis did not answer last seen; asking the store", e);
        }
        return store.find(userId);
    }

    // ---- news

    private void announce(String userId, boolean isOnline, Instant seen) {
        pending.incrementAndGet();
        audiences.contactsOf(userId).subscribe(contacts -> {
            if (contacts.isEmpty()) {
                pending.decrementAndGet();
            } else {
                publish(new News("presence", userId, null, isOnline, seen, List.copyOf(contacts)))
                        .whenComplete((done, failure) -> pending.decrementAndGet());
            }
        }, error -> {
            pending.decrementAndGet();
            log.warn("could not announce presence of {}", userId, error);
        });
    }

    private java.util.concurrent.CompletionStage<Long> publish(News news) {
        try {
            return commands().publish(channel(), json.writeValueAsString(news))
                    .whenComplete((receivers, failure) -> {
                        if (failure != null) {
                            log.warn("presence: could not publish {} of {}", news.kind(), news.userId(), failure);
                        }
                    });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("presence news not serialisable", e);
        }
    }

    /** Delivers news from any node (this one included) to the recipients connected here. */
    private void receive(String message) {
        try {
            News news = json.readValue(message, News.class);
            Object frame = switch (news.kind()) {
                case "presence" -> ServerFrames.Presence.of(news.userId(), Boolean.TRUE.equals(news.online()),
                        news.lastSeen());
                case "typing" -> ServerFrames.Typing.of(news.conversationId(), news.userId());
                default -> null;
            };
            if (frame == null || news.to() == null) {
                return;
            }
            for (String recipient : news.to()) {
                if (frame instanceof ServerFrames.Presence presence) {
                    batcher.tell(recipient, presence); // coalesced per recipient, here where its sockets are
                } else if (outbox.isConnectedHere(recipient)) {
                    outbox.toUser(recipient, frame);
                }
            }
        } catch (Exception e) {
            log.warn("presence: unreadable news ignored: {}", message, e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
