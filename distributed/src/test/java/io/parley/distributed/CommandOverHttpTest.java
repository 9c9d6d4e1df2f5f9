package io.parley.distributed;

import io.parley.api.error.ConflictException;
import io.parley.api.error.ErrorDetails;
import io.parley.api.error.ErrorKind;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.NotFoundException;
import io.parley.axon.DomainErrorInterceptor;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.distributed.CommandDispatchException;
import org.axonframework.commandhandling.distributed.DistributedCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.messaging.HandlerExecutionException;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A command crossing processes as Parley sends it: gateway, DistributedCommandBus, HTTP connector, the command
 * endpoint, the local bus with its {@link DomainErrorInterceptor} and its handler, and back; results, rule violations
 * and transport failures as the edge sees them.
 */
class CommandOverHttpTest {

    record Send(@TargetAggregateIdentifier String conversationId, String text) {
    }

    record Sent(String conversationId, long seq, Instant at) {
    }

    /** A rule violation of our own kind, by subclass: it must arrive with the kind of its shared-api supertype. */
    static class NotYourGroup extends ForbiddenException {
        NotYourGroup(String message) {
            super(message);
        }
    }

    private final JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
    private final List<CommandMessage<?>> handled = new CopyOnWriteArrayList<>();
    private CommandEndpoint endpoint;
    private CommandGateway gateway;
    private CommandGateway inProcess;

    @BeforeEach
    void start() {
        SimpleCommandBus commandSide = SimpleCommandBus.builder().build();
        commandSide.registerHandlerInterceptor(new DomainErrorInterceptor()); // as ParleyAxonAutoConfiguration does
        commandSide.subscribe(Send.class.getName(), message -> {
            handled.add((CommandMessage<?>) message);
            Send send = (Send) message.getPayload();
            return switch (send.text()) {
                case "forbidden" -> throw new NotYourGroup("you are not a member of this conversation");
                case "missing" -> throw new NotFoundException("no such conversation");
                case "conflict" -> throw new ConflictException("already there");
                case "race" -> throw new ConcurrencyException("changed concurrently");
                case "bad" -> throw new IllegalArgumentException("text must not be blank");
                case "boom" -> throw new IllegalStateException("database on fire");
                case "commit-race" -> { // the event store's unique key, after the handler (and its interceptors) ran
                    CurrentUnitOfWork.get().onPrepareCommit(u -> {
                        throw new ConcurrencyException("duplicate key for c-1, sequence 8");
                    });
                    yield null;
                }
                case "void" -> null;
                default -> new Sent(send.conversationId(), 7, Instant.parse("2024-05-01T10:00:00.123Z"));
            };
        });
        endpoint = new CommandEndpoint(commandSide, new CommandWire(serializer), "s3cret",
                new InetSocketAddress("127.0.0.1", 0), 4, Duration.ofSeconds(5));
        endpoint.start();
        gateway = gatewayTo(List.of(URI.create("http://127.0.0.1:" + endpoint.port())), "s3cret");
        inProcess = DefaultCommandGateway.builder().commandBus(commandSide).build();
    }

    @AfterEach
    void stop() {
        endpoint.stop();
    }

    private CommandGateway gatewayTo(List<URI> nodes, String secret) {
        SimpleCommandBus local = SimpleCommandBus.builder().build();
        DistributedCommandBus bus = DistributedCommandBus.builder()
                .commandRouter(new ConsistentHashCommandRouter(nodes))
                .connector(new HttpCommandBusConnector(local, new CommandWire(serializer), secret, Duration.ofSeconds(5)))
                .build();
        return DefaultCommandGateway.builder().commandBus(bus).build();
    }

    @Test
    void aCommandRunsOnTheCommandSideAndItsResultComesBack() {
        Sent sent = gateway.sendAndWait(new Send("c-1", "hello"));
        assertThat(sent).isEqualTo(new Sent("c-1", 7, Instant.parse("2024-05-01T10:00:00.123Z")));
        assertThat(handled).singleElement().satisfies(message -> {
            assertThat(message.getPayload()).isEqualTo(new Send("c-1", "hello"));
            assertThat(message.getCommandName()).isEqualTo(Send.class.getName());
        });
        assertThat((Object) gateway.sendAndWait(new Send("c-1", "void"))).isNull();
    }

    @Test
    void ruleViolationsArriveAsExecutionFailuresWithTheirDetailsAndNoClass() {
        assertThat(failureOf("forbidden")).isExactlyInstanceOf(CommandExecutionException.class)
                .hasMessage("you are not a member of this conversation").hasNoCause();
        assertThat(detailsOf("forbidden"))
                .isEqualTo(new ErrorDetails(ErrorKind.FORBIDDEN, "you are not a member of this conversation"));
        assertThat(detailsOf("missing")).isEqualTo(new ErrorDetails(ErrorKind.NOT_FOUND, "no such conversation"));
        assertThat(detailsOf("conflict")).isEqualTo(new ErrorDetails(ErrorKind.CONFLICT, "already there"));
        assertThat(detailsOf("race"))
                .isEqualTo(new ErrorDetails(ErrorKind.CONFLICT, "changed concurrently; try again"));
        assertThat(detailsOf("bad")).isEqualTo(new ErrorDetails(ErrorKind.INVALID, "text must not be blank"));
    }

    @Test
    void theCallerInOneProcessSeesTheSameFailure() {
        for (String text : List.of("forbidden", "missing", "conflict", "race", "bad")) {
            Throwable local = failureOf(inProcess, text);
            Throwable remote = failureOf(text);
            assertThat(local).as(text).isExactlyInstanceOf(remote.getClass()).hasMessage(remote.getMessage());
            assertThat(HandlerExecutionException.resolveDetails(local)).as(text).isEqualTo(
                    HandlerExecutionException.resolveDetails(remote));
        }
    }

    @Test
    void aConflictAtCommitGetsItsDetailsOnTheWay() {
        assertThat(detailsOf("commit-race"))
                .isEqualTo(new ErrorDetails(ErrorKind.CONFLICT, "changed concurrently; try again"));
    }

    @Test
    void otherFailuresArriveAsExecutionFailuresWithoutDetails() {
        assertThat(failureOf("boom")).isInstanceOf(CommandExecutionException.class);
        assertThat(HandlerExecutionException.resolveDetails(failureOf("boom"))).isEmpty();
    }

    @Test
    void aWrongSecretIsRefusedAndTheCallerGetsADispatchFailure() {
        CommandGateway intruder = gatewayTo(List.of(URI.create("http://127.0.0.1:" + endpoint.port())), "guess");
        assertThatThrownBy(() -> intruder.sendAndWait(new Send("c-1", "hello")))
                .isInstanceOf(CommandDispatchException.class).hasMessageContaining("401");
        assertThat(handled).isEmpty();
    }

    @Test
    void withoutASecretTheRequestIsRefused() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + endpoint.port() + "/" + CommandEndpoint.PATH))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void anUnreachableCommandSideIsADispatchFailureNotAHang() {
        endpoint.stop();
        assertThatThrownBy(() -> gateway.sendAndWait(new Send("c-1", "hello")))
                .isInstanceOf(CommandDispatchException.class).hasMessageContaining("unreachable");
    }

    @Test
    void anEndpointWithoutASecretDoesNotStart() {
        assertThatThrownBy(() -> new CommandEndpoint(SimpleCommandBus.builder().build(), new CommandWire(serializer), "",
                new InetSocketAddress("127.0.0.1", 0), 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void consistentHashingSendsAConversationAlwaysToTheSameNodeAndSpreadsConversations() {
        List<URI> nodes = List.of(URI.create("http://a:8081"), URI.create("http://b:8081"), URI.create("http://c:8081"));
        ConsistentHashCommandRouter router = new ConsistentHashCommandRouter(nodes);
        java.util.Map<String, Integer> perNode = new java.util.HashMap<>();
        for (int i = 0; i < 300; i++) {
            CommandMessage<?> first = org.axonframework.commandhandling.GenericCommandMessage.asCommandMessage(
                    new Send("conversation-" + i, "x"));
            CommandMessage<?> again = org.axonframework.commandhandling.GenericCommandMessage.asCommandMessage(
                    new Send("conversation-" + i, "y"));
            String node = router.findDestination(first).orElseThrow().name();
            assertThat(router.findDestination(again).orElseThrow().name()).isEqualTo(node);
            perNode.merge(node, 1, Integer::sum);
        }
        assertThat(perNode).hasSize(3);
        assertThat(perNode.values()).allSatisfy(count -> assertThat(count).isGreaterThan(40));
    }

    private Object detailsOf(String text) {
        return HandlerExecutionException.resolveDetails(failureOf(text)).orElse(null);
    }

    private Throwable failureOf(String text) {
        return failureOf(gateway, text);
    }

    private static Throwable failureOf(CommandGateway gateway, String text) {
        try {
            gateway.send(new Send("c-1", text)).join();
            throw new AssertionError("expected a failure for " + text);
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
