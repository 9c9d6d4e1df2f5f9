package io.parley.push.conversation;

import io.parley.api.conversation.ConversationCommands.AddMember;
import io.parley.api.conversation.ConversationCommands.CreateGroup;
import io.parley.api.conversation.ConversationCommands.DeleteMessage;
import io.parley.api.conversation.ConversationCommands.EditMessage;
import io.parley.api.conversation.ConversationCommands.MarkDelivered;
import io.parley.api.conversation.ConversationCommands.MarkRead;
import io.parley.api.conversation.ConversationCommands.OpenDirectConversation;
import io.parley.api.conversation.ConversationCommands.RemoveMember;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationCommands.SendResult;
import io.parley.api.conversation.ConversationIds;
import io.parley.api.conversation.ConversationQueries;
import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.ConversationsOfUserQuery;
import io.parley.api.conversation.ConversationQueries.MemberCursor;
import io.parley.api.conversation.ConversationQueries.MessagePage;
import io.parley.api.conversation.ConversationQueries.MessagePageQuery;
import io.parley.api.conversation.ConversationQueries.ReceiptsQuery;
import io.parley.api.error.ForbiddenException;
import io.parley.api.media.Attachment;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.api.wire.ServerFrames;
import io.parley.push.EdgeMetrics;
import io.parley.push.Backend;
import io.parley.media.MediaService;
import io.parley.push.block.BlockList;
import io.parley.api.conversation.ConversationCommands.AddReaction;
import io.parley.api.conversation.ConversationCommands.RemoveReaction;
import io.parley.api.conversation.ConversationQueries.MessageReactions;
import io.parley.api.conversation.ConversationQueries.ReactionChangesQuery;
import io.parley.api.conversation.ConversationType;
import io.parley.push.limits.RateLimits;
import io.parley.push.media.MediaLinks;
import io.parley.push.membership.Membership;
import io.parley.push.membership.MembershipCache;
import io.parley.push.web.ApiException;
import io.parley.push.web.ErrorCode;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The conversation features of the edge, one door for its two entrances: the REST controller and the socket's frame
 * handler both call these, and only translate HTTP or frames into the calls and the results back. Every write is
 * decided by the aggregate; every read checks membership; a non-member learns nothing about a conversation, not even
 * that it exists (403 / {@code FORBIDDEN} whatever the aggregate found first). Input has been checked for presence
 * and type by the records it was read into ({@code io.parley.api.wire.ClientInput}).
 */
@Service
public class ConversationService {

    private final Backend backend;
    private final MembershipCache memberships;
    private final RateLimits limits;
    private final MediaService media;
    private final MediaLinks links;
    private final BlockList blocks;
    private final EdgeMetrics metrics;

    ConversationService(Backend backend, MembershipCache memberships, RateLimits limits, MediaService media,
                        MediaLinks links, BlockList blocks, EdgeMetrics metrics) {
        this.backend = backend;
        this.memberships = memberships;
        this.limits = limits;
        this.media = media;
        this.links = links;
        this.blocks = blocks;
        this.metrics = metrics;
    }

    /** What a blocked user is told: no more than that this conversation does not take their messages. */
    static final String BLOCKED = "you cannot send messages to this conversation";

    /**
     * Sends a message; the answer is the {@code ack} (the HTTP 201 body too), after the event is committed. Messages
     * are limited per user, socket and HTTP together.
     */
    public Mono<ServerFrames.Ack> send(String userId, String conversationId, String clientMsgId, String text) {
        return send(userId, conversationId, clientMsgId, text, List.of(), List.of(), null);
    }

    /**
     * Sends a message that may carry attachments ({@code mediaIds}: the sender's finished uploads, {@code /api/media};
     * an unknown or unfinished media is NOT_FOUND, another user's FORBIDDEN, and then nothing is sent; once the message
     * is committed, its conversation's members may fetch the media), mention members ({@code mentions}: user ids,
     * explicit; the aggregate keeps the members among them) and reply to message {@code replyTo} (null: none;
     * NOT_FOUND when there is no such message). In a direct conversation whose other member has blocked the sender,
     * FORBIDDEN ({@link #BLOCKED}).
     */
    public Mono<ServerFrames.Ack> send(String userId, String conversationId, String clientMsgId, String text,
                                       List<String> mediaIds, List<String> mentions, Long replyTo) {
        return Mono.defer(() -> {
            limits.take(userId, RateLimits.Kind.SEND).ifPresent(wait -> {
                throw new ApiException(ErrorCode.RATE_LIMITED,
                        "too many messages; retry in " + Math.max(1, wait.toMillis()) + " ms", wait);
            });
            Mono<List<Attachment>> attachments = mediaIds.isEmpty() ? Mono.just(List.of())
                    : Mono.fromCallable(() -> media.forMessage(userId, mediaIds)).subscribeOn(backend.workers());
            return notBlockedInDirect(userId, conversationId).then(attachments).flatMap(checked -> asMember(userId,
                    conversationId, backend.<SendResult>send(new SendMessage(conversationId, userId, clientMsgId, text,
                            checked, mentions, replyTo)))
                    .flatMap(result -> checked.isEmpty() ? Mono.just(result)
                            : Mono.fromRunnable(() -> media.attached(checked, conversationId, result.seq(),
                                    result.messageId())).subscribeOn(backend.workers()).thenReturn(result))
                    .map(result -> {
                        metrics.messageSent();
                        return ServerFrames.Ack.of(clientMsgId, result);
                    }));
        });
    }

    /**
     * Adds ({@code remove} false) or takes back the user's {@code emoji} reaction to message {@code seq}. Reactions
     * share the frame rate limit of the socket and the HTTP limit; a repeat is accepted. In a direct conversation
     * whose other member has blocked the user, FORBIDDEN.
     */
    public Mono<Void> react(String userId, String conversationId, long seq, String emoji, boolean remove) {
        // the Conversation aggregate checks the emoji (one rule, one place); a non-member gets FORBIDDEN before that
        Mono<Void> write = Mono.defer(() -> backend.send(remove ? new RemoveReaction(conversationId, userId, seq, emoji)
                : new AddReaction(conversationId, userId, seq, emoji)).then());
        return notBlockedInDirect(userId, conversationId).then(asMember(userId, conversationId, write));
    }

    /** The messages whose reactions changed after {@code afterVersion}, with their reactions now (members only). */
    Mono<List<MessageReactions>> reactionChanges(String userId, String conversationId, long afterVersion,
                                                 Integer limit) {
        return Mono.defer(() -> {
            int size = limit == null ? ConversationQueries.MAX_PAGE : limit;
            if (size < 1 || size > ConversationQueries.MAX_PAGE || afterVersion < 0) {
                throw new InvalidCommandException("limit must be between 1 and " + ConversationQueries.MAX_PAGE
                        + " and after >= 0");
            }
            return requireMember(userId, conversationId)
                    .then(backend.query(new ReactionChangesQuery(conversationId, afterVersion, size),
                            ResponseTypes.multipleInstancesOf(MessageReactions.class)));
        });
    }

    /**
     * FORBIDDEN when the conversation is direct and its other member has blocked {@code userId}. Answered on the
     * calling thread when this node holds the conversation's members and, for a direct conversation, the other
     * member's block list (most sends: after the first of a conversation on this node, until the cached list expires
     * or is evicted), otherwise on a worker, where the lookup may ask the read model: one hop to a worker per send
     * instead of two (docs/benchmark.md, issue 17's ninth round).
     */
    private Mono<Void> notBlockedInDirect(String userId, String conversationId) {
        return Mono.defer(() -> {
            // false for a conversation that is not direct (or not userId's); empty when the members or the other
            // member's block list are not held here
            Optional<Boolean> known = memberships.getIfCached(conversationId).flatMap(m -> otherInDirect(userId, m)
                    .map(other -> blocks.hasBlockedIfCached(other, userId))
                    .orElse(Optional.of(false)));
            if (known.isPresent()) {
                return known.get() ? Mono.error(new ForbiddenException(BLOCKED)) : Mono.<Void>empty();
            }
            return Mono.fromRunnable(() -> memberships.get(conversationId)
                            .flatMap(m -> otherInDirect(userId, m))
                            .filter(other -> blocks.hasBlocked(other, userId))
                            .ifPresent(other -> {
                                throw new ForbiddenException(BLOCKED);
                            }))
                    .subscribeOn(backend.workers()).then();
        });
    }

    /** The other member of a direct conversation that {@code userId} belongs to; empty for any other conversation. */
    private static Optional<String> otherInDirect(String userId, Membership m) {
        if (m.type() != ConversationType.DIRECT || !m.isMember(userId)) {
            return Optional.empty();
        }
        return m.roles().keySet().stream().filter(id -> !id.equals(userId)).findFirst();
    }

    public Mono<Void> markDelivered(String userId, String conversationId, long upToSeq) {
        return asMember(userId, conversationId, backend.send(new MarkDelivered(conversationId, userId, upToSeq)).then());
    }

    public Mono<Void> markRead(String userId, String conversationId, long upToSeq) {
        return asMember(userId, conversationId, backend.send(new MarkRead(conversationId, userId, upToSeq)).then());
    }

    /** Edits a message; in a direct conversation whose other member has blocked the editor, FORBIDDEN. */
    public Mono<Void> edit(String userId, String conversationId, long seq, String text) {
        return notBlockedInDirect(userId, conversationId).then(asMember(userId, conversationId,
                backend.send(new EditMessage(conversationId, userId, seq, text)).then()));
    }

    /** Deletes a message; its media goes with it, for everyone. */
    public Mono<Void> delete(String userId, String conversationId, long seq) {
        return asMember(userId, conversationId, backend.send(new DeleteMessage(conversationId, userId, seq)).then())
                .then(Mono.fromRunnable(() -> media.messageDeleted(conversationId, seq))
                        .subscribeOn(backend.workers()).then());
    }

    /** Opens (or finds) the direct conversation of two users; answers its id, the same every time. */
    Mono<String> openDirect(String userId, String otherUserId) {
        return Mono.defer(() -> {
            if (otherUserId.equals(userId)) {
                throw new InvalidCommandException("a direct conversation needs another user");
            }
            String conversationId = ConversationIds.direct(userId, otherUserId);
            return userExists(otherUserId)
                    .then(Mono.fromRunnable(() -> {
                        if (blocks.hasBlocked(otherUserId, userId)) {
                            throw new ForbiddenException(BLOCKED);
                        }
                    }).subscribeOn(backend.workers()))
                    .then(backend.send(new OpenDirectConversation(conversationId, userId, otherUserId)))
                    .thenReturn(conversationId);
        });
    }

    /** Creates a group of {@code creatorId} (its owner) and {@code members}; answers its id. */
    Mono<String> createGroup(String creatorId, String name, List<String> members) {
        String conversationId = ConversationIds.newGroup();
        return Flux.fromIterable(new LinkedHashSet<>(members))
                .concatMap(this::userExists)
                .then(backend.send(new CreateGroup(conversationId, creatorId, name, members)))
                .thenReturn(conversationId);
    }

    Mono<Void> addMember(String actorId, String conversationId, String userId) {
        return asMember(actorId, conversationId,
                userExists(userId).then(backend.send(new AddMember(conversationId, actorId, userId))).then());
    }

    /** Removes a member; {@code actorId} equal to {@code userId} is leaving. */
    Mono<Void> removeMember(String actorId, String conversationId, String userId) {
        return asMember(actorId, conversationId,
                backend.send(new RemoveMember(conversationId, actorId, userId)).then());
    }

    /** The user's conversations, most recently active first. */
    Mono<List<ConversationSummary>> conversationsOf(String userId) {
        return backend.query(new ConversationsOfUserQuery(userId),
                        ResponseTypes.multipleInstancesOf(ConversationSummary.class))
                .map(list -> list.stream().map(links::of).toList());
    }

    /** A page of history, ascending by seq: before and after are exclusive bounds, limit at most the maximum page. */
    Mono<MessagePage> history(String userId, String conversationId, Long before, Long after, Integer limit) {
        return Mono.defer(() -> {
            int size = limit == null ? ConversationQueries.DEFAULT_PAGE : limit;
            if (size < 1 || size > ConversationQueries.MAX_PAGE) {
                throw new InvalidCommandException("limit must be between 1 and " + ConversationQueries.MAX_PAGE);
            }
            if ((before != null && before < 1) || (after != null && after < 0)) {
                throw new InvalidCommandException("before must be >= 1 and after >= 0");
            }
            return requireMember(userId, conversationId)
                    .then(backend.query(new MessagePageQuery(conversationId, before, after, size),
                            ResponseTypes.instanceOf(MessagePage.class)))
                    .map(links::of);
        });
    }

    /** Every member's delivered and read cursor: in groups, who has read up to where. */
    Mono<List<MemberCursor>> receipts(String userId, String conversationId) {
        return requireMember(userId, conversationId)
                .then(backend.query(new ReceiptsQuery(conversationId),
                        ResponseTypes.multipleInstancesOf(MemberCursor.class)));
    }

    /** Completes when {@code userId} is a member of the conversation; fails with 403 otherwise (also when it does not exist). */
    public Mono<Void> requireMember(String userId, String conversationId) {
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

    /** Whether {@code userId} is a member of {@code conversationId} now, as the edge's cache knows it. Blocking. */
    public boolean isMemberNow(String userId, String conversationId) {
        return memberships.get(conversationId).filter(m -> m.isMember(userId)).isPresent();
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
                .filter(Optional::isPresent)
                // take(20), not repeatWhenEmpty(20, ...): that one fails with IllegalStateException (a 500) when the
                // repeats run out, instead of completing empty into the 404 below
                .repeatWhenEmpty(attempts -> attempts.take(20).delayElements(Duration.ofMillis(50)))
                .switchIfEmpty(Mono.error(new NotFoundException("no such user")))
                .then();
    }
}
