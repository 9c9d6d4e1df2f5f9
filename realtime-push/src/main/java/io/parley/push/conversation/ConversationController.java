package io.parley.push.conversation;

import io.parley.api.conversation.ConversationQueries.MessageReactions;

import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.MemberCursor;
import io.parley.api.conversation.ConversationQueries.MessagePage;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.wire.ClientFrame;
import io.parley.api.wire.ClientInput;
import io.parley.api.wire.ServerFrames;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static io.parley.api.wire.ClientInput.required;
import static io.parley.api.wire.ClientInput.requiredText;

/**
 * The conversation calls of PROTOCOL.md over HTTP: paths, bodies and statuses. What they do is
 * {@link ConversationService}'s, which the socket's frames call too. Bodies are records that check what is required
 * in their constructors, the way socket frames do ({@link ClientInput}).
 */
@RestController
@RequestMapping("/api/conversations")
class ConversationController {

    private final ConversationService conversations;

    ConversationController(ConversationService conversations) {
        this.conversations = conversations;
    }

    record DirectRequest(String userId) {
        DirectRequest {
            requiredText(userId, "userId");
        }
    }

    record GroupRequest(String name, List<String> members) {
        GroupRequest {
            members = members == null ? List.of() : members;
            if (members.stream().anyMatch(Objects::isNull)) {
                throw new InvalidCommandException("members must be user ids");
            }
        }
    }

    record MemberRequest(String userId) {
        MemberRequest {
            requiredText(userId, "userId");
        }
    }

    record SendRequest(String clientMsgId, String text, List<String> attachments, List<String> mentions,
                       Long replyTo) {
        SendRequest {
            ClientInput.clientId(requiredText(clientMsgId, "clientMsgId"), "clientMsgId");
            // the socket's send frame checks the same way
            ClientFrame.Send checked = new ClientFrame.Send(clientMsgId, "x", text, attachments, mentions, replyTo);
            attachments = checked.attachments();
            mentions = checked.mentions();
        }
    }
    record ReactionRequest(String emoji) {
        ReactionRequest {
            requiredText(emoji, "emoji");
        }
    }

    record EditRequest(String text) {
        EditRequest {
            requiredText(text, "text");
        }
    }

    record ReadRequest(Long upToSeq) {
        ReadRequest {
            required(upToSeq, "upToSeq");
        }
    }

    @PostMapping("/direct")
    Mono<Map<String, String>> openDirect(Principal principal, @RequestBody DirectRequest request) {
        return conversations.openDirect(principal.getName(), request.userId())
                .map(conversationId -> Map.of("conversationId", conversationId));
    }

    @PostMapping("/groups")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<Map<String, String>> createGroup(Principal principal, @RequestBody GroupRequest request) {
        return conversations.createGroup(principal.getName(), request.name(), request.members())
                .map(conversationId -> Map.of("conversationId", conversationId));
    }

    @PostMapping("/{id}/members")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> addMember(Principal principal, @PathVariable String id, @RequestBody MemberRequest request) {
        return conversations.addMember(principal.getName(), id, request.userId());
    }

    @DeleteMapping("/{id}/members/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> removeMember(Principal principal, @PathVariable String id, @PathVariable String userId) {
        return conversations.removeMember(principal.getName(), id, userId);
    }

    @GetMapping
    Mono<List<ConversationSummary>> list(Principal principal) {
        return conversations.conversationsOf(principal.getName());
    }

    @GetMapping("/{id}/messages")
    Mono<MessagePage> history(Principal principal, @PathVariable String id,
                              @RequestParam(required = false) Long before,
                              @RequestParam(required = false) Long after,
                              @RequestParam(required = false) Integer limit) {
        return conversations.history(principal.getName(), id, before, after, limit);
    }

    /** Every member's delivered and read cursor: in groups, who has read up to where. */
    @GetMapping("/{id}/receipts")
    Mono<List<MemberCursor>> receipts(Principal principal, @PathVariable String id) {
        return conversations.receipts(principal.getName(), id);
    }

    @PostMapping("/{id}/messages")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<ServerFrames.Ack> send(Principal principal, @PathVariable String id, @RequestBody SendRequest request) {
        return conversations.send(principal.getName(), id, request.clientMsgId(), request.text(),
                request.attachments(), request.mentions(), request.replyTo());
    }

    /** Adds the caller's reaction (204; a repeat too). */
    @PostMapping("/{id}/messages/{seq}/reactions")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> react(Principal principal, @PathVariable String id, @PathVariable long seq,
                     @RequestBody ReactionRequest request) {
        return conversations.react(principal.getName(), id, seq, request.emoji(), false);
    }

    /** Takes the caller's reaction back (204; also when there was none). The emoji is URL-encoded in the path. */
    @DeleteMapping("/{id}/messages/{seq}/reactions/{emoji}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> unreact(Principal principal, @PathVariable String id, @PathVariable long seq,
                       @PathVariable String emoji) {
        return conversations.react(principal.getName(), id, seq, emoji, true);
    }

    /** The messages whose reactions changed after the reaction change {@code after}, with their reactions now. */
    @GetMapping("/{id}/reactions")
    Mono<List<MessageReactions>> reactionChanges(Principal principal, @PathVariable String id,
                                                 @RequestParam(defaultValue = "0") long after,
                                                 @RequestParam(required = false) Integer limit) {
        return conversations.reactionChanges(principal.getName(), id, after, limit);
    }

    @PatchMapping("/{id}/messages/{seq}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> edit(Principal principal, @PathVariable String id, @PathVariable long seq,
                    @RequestBody EditRequest request) {
        return conversations.edit(principal.getName(), id, seq, request.text());
    }

    @DeleteMapping("/{id}/messages/{seq}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> delete(Principal principal, @PathVariable String id, @PathVariable long seq) {
        return conversations.delete(principal.getName(), id, seq);
    }

    @PostMapping("/{id}/read")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> read(Principal principal, @PathVariable String id, @RequestBody ReadRequest request) {
        return conversations.markRead(principal.getName(), id, request.upToSeq());
    }
}
