package io.parley.push.notifications;

import io.parley.api.error.InvalidCommandException;
import io.parley.notify.store.NotificationSettings;
import io.parley.notify.store.NotificationSettings.AccountSettings;
import io.parley.notify.store.NotificationSettings.ConversationSettings;
import io.parley.push.Backend;
import io.parley.push.conversation.ConversationService;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.security.Principal;
import java.time.Instant;

/**
 * Notification settings: the account's preview setting ({@code /api/notification-settings}) and, for a conversation
 * the caller is a member of, mute and mentions-only ({@code /api/conversations/{id}/notification-settings}; 403 for
 * non-members, like every conversation call).
 */
@RestController
class NotificationSettingsController {

    /** A field left out keeps its current value. */
    record AccountRequest(Boolean showSender, Boolean showPreview) {
    }

    /**
     * The whole setting: {@code mutedUntil} (ISO-8601, in the future, or null), {@code mutedForever},
     * {@code mentionsOnly}; left out means null/false.
     */
    record ConversationRequest(Instant mutedUntil, Boolean mutedForever, Boolean mentionsOnly) {
    }

    /** As stored, plus {@code muted}: whether it is muted right now. */
    record ConversationView(String conversationId, Instant mutedUntil, boolean mutedForever, boolean mentionsOnly,
                            boolean muted) {
        static ConversationView of(String conversationId, ConversationSettings settings) {
            return new ConversationView(conversationId, settings.mutedUntil(), settings.mutedForever(),
                    settings.mentionsOnly(), settings.mutedAt(Instant.now()));
        }
    }

    private final NotificationSettings settings;
    private final ConversationService conversations;
    private final Backend backend;

    NotificationSettingsController(NotificationSettings settings, ConversationService conversations, Backend backend) {
        this.settings = settings;
        this.conversations = conversations;
        this.backend = backend;
    }

    @GetMapping("/api/notification-settings")
    Mono<AccountSettings> account(Principal principal) {
        return Mono.fromCallable(() -> settings.account(principal.getName())).subscribeOn(backend.workers());
    }

    @PutMapping("/api/notification-settings")
    Mono<AccountSettings> saveAccount(Principal principal, @RequestBody AccountRequest request) {
        return Mono.fromCallable(() -> {
            AccountSettings current = settings.account(principal.getName());
            AccountSettings next = new AccountSettings(
                    request.showSender() != null ? request.showSender() : current.showSender(),
                    request.showPreview() != null ? request.showPreview() : current.showPreview());
            settings.saveAccount(principal.getName(), next);
            return next;
        }).subscribeOn(backend.workers());
    }

    @GetMapping("/api/conversations/{id}/notification-settings")
    Mono<ConversationView> conversation(Principal principal, @PathVariable String id) {
        return conversations.requireMember(principal.getName(), id)
                .then(Mono.fromCallable(() -> ConversationView.of(id, settings.conversation(principal.getName(), id)))
                        .subscribeOn(backend.workers()));
    }

    @PutMapping("/api/conversations/{id}/notification-settings")
    Mono<ConversationView> saveConversation(Principal principal, @PathVariable String id,
                                            @RequestBody ConversationRequest request) {
        ConversationSettings next = new ConversationSettings(request.mutedUntil(),
                Boolean.TRUE.equals(request.mutedForever()), Boolean.TRUE.equals(request.mentionsOnly()));
        if (next.mutedUntil() != null && next.mutedUntil().isAfter(Instant.now().plusSeconds(366L * 24 * 3600 * 10))) {
            throw new InvalidCommandException("mutedUntil must be within ten years; use mutedForever");
        }
        return conversations.requireMember(principal.getName(), id)
                .then(Mono.fromCallable(() -> {
                    settings.saveConversation(principal.getName(), id, next);
                    return ConversationView.of(id, next);
                }).subscribeOn(backend.workers()));
    }
}
