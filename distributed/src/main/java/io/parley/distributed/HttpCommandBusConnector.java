package io.parley.distributed;

import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.distributed.CommandBusConnector;
import org.axonframework.commandhandling.distributed.CommandDispatchException;
import org.axonframework.commandhandling.distributed.Member;
import org.axonframework.common.Registration;
import org.axonframework.messaging.MessageHandler;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static org.axonframework.commandhandling.GenericCommandResultMessage.asCommandResultMessage;

/**
 * Sends commands to a command-side node over HTTP: the command serialized by {@link CommandWire}, POSTed to the
 * member's {@link CommandEndpoint} with the shared secret, the result (or the rule violation) read back. Never blocks
 * the caller: the request is asynchronous and the callback runs when the answer arrives. Handlers subscribed on this
 * node go to its local segment, as Axon's connectors do.
 */
public class HttpCommandBusConnector implements CommandBusConnector {

    private static final Logger log = LoggerFactory.getLogger(HttpCommandBusConnector.class);

    private final CommandBus localSegment;
    private final CommandWire wire;
    private final String secret;
    private final Duration timeout;
    private final HttpClient http;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    public HttpCommandBusConnector(CommandBus localSegment, CommandWire wire, String secret, Duration timeout) {
        this.localSegment = localSegment;
        this.wire = wire;
        this.secret = secret;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Override
    public <C> void send(Member destination, CommandMessage<? extends C> command) throws Exception {
        send(destination, command, (CommandCallback<C, Object>) (message, result) -> {
            if (result.isExceptional()) {
                log.warn("command {} failed on {}", message.getCommandName(), destination.name(),
                        result.exceptionResult());
            }
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public <C, R> void send(Member destination, CommandMessage<C> command, CommandCallback<? super C, R> callback) {
        if (shuttingDown) {
            callback.onResult(command, asCommandResultMessage(
                    new CommandDispatchException("this node is shutting down; command not sent")));
            return;
        }
        URI endpoint = destination.getConnectionEndpoint(URI.class)
                .orElseThrow(() -> new IllegalArgumentException("no HTTP endpoint for " + destination.name()));
        HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(CommandEndpoint.PATH))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(CommandEndpoint.SECRET_HEADER, secret)
                .POST(HttpRequest.BodyPublishers.ofByteArray(wire.writeCommand(command)))
                .build();
        CompletableFuture<HttpResponse<byte[]>> response = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        inFlight.add(response);
        response.whenComplete((answer, failure) -> {
            inFlight.remove(response);
            CommandResultMessage<R> result;
            if (failure != null) {
                destination.suspect();
                result = asCommandResultMessage(new CommandDispatchException(
                        "command side at " + endpoint + " unreachable: " + failure.getMessage(), failure));
            } else if (answer.statusCode() != 200) {
                result = asCommandResultMessage(new CommandDispatchException(
                        "command side at " + endpoint + " answered HTTP " + answer.statusCode()));
            } else {
                try {
                    result = (CommandResultMessage<R>) wire.readResult(answer.body());
                } catch (RuntimeException unreadable) {
                    result = asCommandResultMessage(new CommandDispatchException(
                            "unreadable answer from " + endpoint, unreadable));
                }
            }
            callback.onResult(command, result);
        });
    }

    @Override
    public Registration subscribe(String commandName, MessageHandler<? super CommandMessage<?>> handler) {
        return localSegment.subscribe(commandName, handler);
    }

    @Override
    public Registration registerHandlerInterceptor(MessageHandlerInterceptor<? super CommandMessage<?>> interceptor) {
        return localSegment.registerHandlerInterceptor(interceptor);
    }

    @Override
    public Optional<CommandBus> localSegment() {
        return Optional.of(localSegment);
    }

    /** Refuses new commands and completes when those already sent are answered. */
    @Override
    public CompletableFuture<Void> initiateShutdown() {
        shuttingDown = true;
        return CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> null);
    }
}
