package io.parley.push.conversation;

import io.parley.api.conversation.ConversationCommands.AddMember;
import io.parley.api.conversation.ConversationCommands.CreateGroup;
import io.parley.api.conversation.ConversationCommands.DeleteMessage;
import io.parley.api.conversation.ConversationCommands.EditMessage;
import io.parley.api.conversation.ConversationCommands.MarkRead;
import io.parley.api.conversation.ConversationCommands.OpenDirectConversation;
import io.parley.api.conversation.ConversationCommands.RemoveMember;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationCommands.SendResult;
import io.parley.api.conversation.ConversationIds;
import io.parley.api.conversation.ConversationQueries;
import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.ConversationsOfUserQuery;
import io.parley.api.conversation.ConversationQueries.MessagePage;
import io.parley.api.conversation.ConversationQueries.MessagePageQuery;
import io.parley.api.conversation.ConversationQueries.MemberCursor;
import io.parley.api.conversation.ConversationQueries.ReceiptsQuery;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.api.wire.ClientInput;
import io.parley.api.wire.ServerFrames;
import io.parley.push.Backend;
import io.parley.push.limits.RateLimits;
import io.parley.push.membership.MembershipCache;
import io.parley.push.web.ApiException;
import io.parley.push.web.ErrorCode;
import org.axonframework.messaging.responsetypes.ResponseTypes;
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
import java.time.Duration;

import static io.parley.api.wire.ClientInput.required;
import static io.parley.api.wire.ClientInput.requiredText;

/** The conversation calls of PROTOCOL.md. Every read checks membership; every write is decided by the aggregate. */
@RestController
@RequestMapping("/api/conversations")
class ConversationController {

    private final Backend backend;
    private final MembershipCache memberships;
    private final RateLimits limits;

    ConversationController(Backend backend, MembershipCache memberships, RateLimits limits) {
        this.backend = backend;
        this.memberships = memberships;
        this.limits = limits;
    }

    record DirectRequest(String userId) {
        DirectRequest {
            requiredText(userId, "userId");
        }
    }

    record GroupRequest(String name, List<String> members) {
        GroupRequest {
            members = members == null ? List.of() : members;
            if (members.stream().anyMatch(java.util.Objects::isNull)) {
                throw new InvalidCommandException("members must be user ids");
            }
        }
    }

    record MemberRequest(String userId) {
        MemberRequest {
            requiredText(userId, "userId");
        }
    }

    record SendRequest(String clientMsgId, String text) {
        SendRequest {
            ClientInput.clientId(requiredText(clientMsgId, "clientMsgId"), "clientMsgId");
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
        String me = principal.getName();
        String other = request.userId();
        if (other.equals(me)) {
            throw new InvalidCommandException("a direct conversation needs another user");
        }
        String conversationId = ConversationIds.direct(me, other);
        return userExists(other)
                .then(backend.send(new OpenDirectConversation(conversationId, me, other)))
                .thenReturn(Map.of("conversationId", conversationId));
    }

    @PostMapping("/groups")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<Map<String, String>> createGroup(Principal principal, @RequestBody GroupRequest request) {
        String conversationId = ConversationIds.newGroup();
        List<String> members = request.members();
        return reactor.core.publisher.Flux.fromIterable(new java.util.LinkedHashSet<>(members))
                .concatMap(this::userExists)
                .then(backend.send(new CreateGroup(conversationId, principal.getName(), request.name(), members)))
                .thenReturn(Map.of("conversationId", conversationId));
    }

    @PostMapping("/{id}/members")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> addMember(Principal principal, @PathVariable String id, @RequestBody MemberRequest request) {
        String userId = request.userId();
        return asMember(principal.getName(), id,
                userExists(userId).then(backend.send(new AddMember(id, principal.getName(), userId))).then());
    }

    @DeleteMapping("/{id}/members/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> removeMember(Principal principal, @PathVariable String id, @PathVariable String userId) {
        return asMember(principal.getName(), id,
                backend.send(new RemoveMember(id, principal.getName(), userId)).then());
    }

    @GetMapping
    Mono<List<ConversationSummary>> list(Principal principal) {
        return backend.query(new ConversationsOfUserQuery(principal.getName()),
                ResponseTypes.multipleInstancesOf(ConversationSummary.class));
    }

    @GetMapping("/{id}/messages")
    Mono<MessagePage> history(Principal principal, @PathVariable String id,
                              @RequestParam(required = false) Long before,
                              @RequestParam(required = false) Long after,
                              @RequestParam(required = false) Integer limit) {
        int size = limit == null ? ConversationQueries.DEFAULT_PAGE : limit;
        if (size < 1 || size > ConversationQueries.MAX_PAGE) {
            throw new InvalidCommandException("limit must be between 1 and " + ConversationQueries.MAX_PAGE);
        }
        if ((before != null && before < 1) || (after != null && after < 0)) {
            throw new InvalidCommandException("before must be >= 1 and after >= 0");
        }
        return requireMember(principal.getName(), id)
                .then(backend.query(new MessagePageQuery(id, before, after, size),
                        ResponseTypes.instanceOf(MessagePage.class)));
    }

    /** Every member's delivered and read cursor: in groups, who has read up to where. */
    @GetMapping("/{id}/receipts")
    Mono<List<MemberCursor>> receipts(Principal principal, @PathVariable String id) {
        return requireMember(principal.getName(), id)
                .then(backend.query(new ReceiptsQuery(id), ResponseTypes.multipleInstancesOf(MemberCursor.class)));
    }

    @PostMapping("/{id}/messages")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<ServerFrames.Ack> send(Principal principal, @PathVariable String id, @RequestBody SendRequest request) {
        String clientMsgId = request.clientMsgId();
        String text = request.text();
        limits.take(principal.getName(), RateLimits.Kind.SEND).ifPresent(wait -> {
            throw new ApiException(ErrorCode.RATE_LIMITED, "too many messages; slow down", wait);
        });
        return asMember(principal.getName(), id,
                backend.<SendResult>send(new SendMessage(id, principal.getName(), clientMsgId, text))
                        .map(result -> ServerFrames.Ack.of(clientMsgId, result)));
    }

    record EditRequest(String text) {
        EditRequest {
            requiredText(text, "text");
        }
    }

    @PatchMapping("/{id}/messages/{seq}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> edit(Principal principal, @PathVariable String id, @PathVariable long seq,
                    @RequestBody EditRequest request) {
        return asMember(principal.getName(), id,
                backend.send(new EditMessage(id, principal.getName(), seq, request.text())).then());
    }

    @DeleteMapping("/{id}/messages/{seq}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> delete(Principal principal, @PathVariable String id, @PathVariable long seq) {
        return asMember(principal.getName(), id,
                backend.send(new DeleteMessage(id, principal.getName(), seq)).then());
    }

    @PostMapping("/{id}/read")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> read(Principal principal, @PathVariable String id, @RequestBody ReadRequest request) {
        return asMember(principal.getName(), id,
                backend.send(new MarkRead(id, principal.getName(), request.upToSeq())).then());
    }

    private Mono<Void> requireMember(String userId, String conversationId) {
        return isMember(userId, conversationId)
                .flatMap(member -> member ? Mono.<Void>empty() : Mono.error(notAMember()));
    }

    /**
     * A write to a conversation that fails for a caller who is not its member fails with the same 403 as a read,
     * whatever the aggregate found wrong first ("you cannot add members to a direct conversation", no such
     * conversation, ...): a non-member learns nothing about a conversation, not even that it exists. Members get
     * the aggregate's own answer. Membership is looked up only on failure, so a member's write is never held up by a
     * read model that lags behind.
     */
    private <T> Mono<T> asMember(String userId, String conversationId, Mono<T> write) {
        return write.onErrorResume(error -> isMember(userId, conversationId)
                .flatMap(member -> Mono.<T>error(member ? error : notAMember())));
    }

    private Mono<Boolean> isMember(String userId, String conversationId) {
        return Mono.fromCallable(() -> memberships.get(conversationId).filter(m -> m.isMember(userId)).isPresent())
                .subscribeOn(backend.workers());
    }

    private static ForbiddenException notAMember() {
        return new ForbiddenException("not a member of this conversation");
    }

    private Mono<Void> userExists(String userId) {
        // A user registered a moment ago may not be in the read model yet: look again briefly before saying no.
        return Mono.defer(() -> backend.query(new FindUserQuery(userId),
                        ResponseTypes.optionalInstanceOf(UserView.class)))
                .filter(java.util.Optional::isPresent)
                // take(20), not repeatWhenEmpty(20, ...): that one fails with IllegalStateException (a 500) when the
                // repeats run out, instead of completing empty into the 404 below
                .repeatWhenEmpty(attempts -> attempts.take(20).delayElements(Duration.ofMillis(50)))
                .switchIfEmpty(Mono.error(new NotFoundException("no such user")))
                .then();
    }

}
