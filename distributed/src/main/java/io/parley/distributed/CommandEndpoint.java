package io.parley.distributed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.axonframework.commandhandling.GenericCommandResultMessage.asCommandResultMessage;

/**
 * The command side's internal door: {@code POST /internal/commands} takes a command written by {@link CommandWire},
 * dispatches it to the local command bus and answers its result or its failure. Requests without the shared secret
 * ({@value #SECRET_HEADER}) are refused; the endpoint is for the push nodes on the private network, never for
 * clients. {@code GET /internal/health} answers 200 while it runs (for orchestrators).
 * <p>
 * The JDK's HTTP server, on a fixed pool of worker threads: the local bus runs the handler (JDBC included) on the
 * calling thread, so a blocking server is the honest shape. Requests beyond the pool wait in its queue; the caller's
 * own timeout ({@code parley.command-side.timeout}) bounds how long anyone waits.
 */
public class CommandEndpoint implements SmartLifecycle {

    public static final String PATH = "internal/commands";
    /** Answers 200 while the endpoint runs, without the secret: what the edge's readiness asks of each peer. */
    public static final String HEALTH_PATH = "internal/health";
    public static final String SECRET_HEADER = "X-Parley-Internal-Secret";

    private static final Logger log = LoggerFactory.getLogger(CommandEndpoint.class);

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on its sockets each answer then
        // waits for the client's delayed ACK (~40 ms on Linux), capping a connection at ~25 commands per second.
        // Read once, when the server classes load: set it before the first server starts, unless told otherwise.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final CommandBus localBus;
    private final CommandWire wire;
    private final byte[] secret;
    private final InetSocketAddress address;
    private final int threads;
    private final Duration timeout;
    private volatile HttpServer server;
    private ThreadPoolExecutor workers;

    public CommandEndpoint(CommandBus localBus, CommandWire wire, String secret, InetSocketAddress address, int threads,
                           Duration timeout) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException("the command endpoint needs parley.internal.secret: it must never be open");
        }
        this.localBus = localBus;
        this.wire = wire;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.address = address;
        this.threads = threads;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        AtomicInteger counter = new AtomicInteger();
        workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "parley-command-endpoint-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        try {
            HttpServer created = HttpServer.create(address, 256);
            created.createContext("/" + PATH, this::handleCommand);
            created.createContext("/" + HEALTH_PATH, this::handleHealth);
            created.setExecutor(workers);
            created.start();
            server = created;
            log.info("Command endpoint listening on {}", created.getAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the command endpoint on " + address, e);
        }
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void stop() {
        HttpServer running = server;
        server = null;
        if (running != null) {
            running.stop(1);
        }
        if (workers != null) {
            workers.shutdown();
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** Opens after Axon's components (handlers subscribed) and closes before them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 2000;
    }

    private void handleHealth(HttpExchange exchange) throws IOException {
        try (exchange) {
            respond(exchange, 200, "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void handleCommand(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, new byte[0]);
                return;
            }
            String presented = exchange.getRequestHeaders().getFirst(SECRET_HEADER);
            if (presented == null || !MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8))) {
                respond(exchange, 401, new byte[0]);
                return;
            }
            CommandMessage<?> command;
            try (InputStream in = exchange.getRequestBody()) {
                command = wire.readCommand(in.readAllBytes());
            } catch (RuntimeException unreadable) {
                log.warn("unreadable command from {}: {}", exchange.getRemoteAddress(), unreadable.getMessage());
                respond(exchange, 400, new byte[0]);
                return;
            }
            CommandResultMessage<?> result = dispatch(command);
            if (result.isExceptional() && !CommandWire.hasDetails(result.exceptionResult())) {
                // not a domain answer (those carry details): the edge sees only its message, so its cause is logged
                // here (Axon's own warning of an aggregate it could not load is off: CommandSideApplication)
                log.error("command {} failed", command.getCommandName(), result.exceptionResult());
            }
            respond(exchange, 200, wire.writeResult(result));
        }
    }

    private CommandResultMessage<?> dispatch(CommandMessage<?> command) {
        CompletableFuture<CommandResultMessage<?>> outcome = new CompletableFuture<>();
        try {
            localBus.dispatch(command, (message, result) -> outcome.complete(result));
            return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return asCommandResultMessage(e);
        } catch (ExecutionException e) {
            return asCommandResultMessage(e.getCause());
        } catch (TimeoutException e) {
            return asCommandResultMessage(new IllegalStateException("command timed out on the command side"));
        } catch (RuntimeException e) {
            return asCommandResultMessage(e);
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
