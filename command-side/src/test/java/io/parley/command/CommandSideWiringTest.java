package io.parley.command;

import io.parley.api.conversation.ConversationCommands.CreateGroup;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationCommands.SendResult;
import io.parley.api.error.ErrorDetails;
import io.parley.api.error.ErrorKind;
import io.parley.api.user.UserCommands.RegisterUser;
import io.parley.axon.CachedAnnotationCommandTargetResolver;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.caching.WeakReferenceCache;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The aggregates as Spring and Axon see them: package-private classes found by component scanning, the
 * {@code ConversationPolicy} bean injected into command handlers, and rule violations reaching the caller as Axon's
 * {@link CommandExecutionException} with shared-api {@link ErrorDetails}, as they do from another process. Storage is
 * in memory; the real stores are the other modules' business.
 */
@SpringBootTest(classes = CommandSideWiringTest.App.class, properties = {
        "axon.axonserver.enabled=false",
        "parley.axon.create-schema=false",
        "parley.conversation.max-text-length=5"})
class CommandSideWiringTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @ComponentScan(basePackages = "io.parley.command")
    static class App {

        @Bean
        EventStorageEngine storageEngine() {
            return new InMemoryEventStorageEngine();
        }

        // Named in Conversation's @Aggregate; the real ones come from axon-config, which backs off for these.
        @Bean
        SnapshotTriggerDefinition conversationSnapshotTrigger() {
            return NoSnapshotTriggerDefinition.INSTANCE;
        }

        @Bean
        Cache conversationCache() {
            return new WeakReferenceCache();
        }
    }

    @Autowired
    private CommandGateway commands;

    @Autowired
    private org.axonframework.config.Configuration axon;

    @Test
    void theAggregatesFindTheirTargetWithParleysResolverThatLooksUpEachCommandClassOnce() {
        assertThat(axon.getComponent(CommandTargetResolver.class))
                .isInstanceOf(CachedAnnotationCommandTargetResolver.class);
    }

    @Test
    void aGroupIsCreatedAndItsMessagesSequencedThroughTheCommandBus() {
        commands.sendAndWait(new CreateGroup("g-wiring", "alice", "Wiring", List.of("bob")));

        SendResult first = commands.sendAndWait(new SendMessage("g-wiring", "bob", "b-1", "hi"));
        SendResult retry = commands.sendAndWait(new SendMessage("g-wiring", "bob", "b-1", "hi"));
        SendResult second = commands.sendAndWait(new SendMessage("g-wiring", "alice", "a-1", "hey"));

        assertThat(first.seq()).isEqualTo(1);
        assertThat(retry).isEqualTo(first);
        assertThat(second.seq()).isEqualTo(2);
    }

    @Test
    void theConfiguredPolicyReachesTheAggregateAndItsViolationsTheCaller() {
        commands.sendAndWait(new CreateGroup("g-limits", "alice", "Limits", List.of()));

        String tooLong = "a message may have at most 5 characters, this one has 8";
        assertThatThrownBy(() -> commands.sendAndWait(new SendMessage("g-limits", "alice", "a-1", "too long")))
                .isInstanceOf(CommandExecutionException.class).hasMessage(tooLong)
                .extracting(e -> ((CommandExecutionException) e).getDetails().orElseThrow())
                .isEqualTo(new ErrorDetails(ErrorKind.INVALID, tooLong));
    }

    @Test
    void aUserIsRegisteredThroughTheCommandBus() {
        commands.sendAndWait(new RegisterUser("u-wiring", "Wiring", "Wiring Test"));
        commands.sendAndWait(new RegisterUser("u-wiring", "wiring", "Wiring Test"));
    }
}
