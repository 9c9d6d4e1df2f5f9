package io.parley.push.media;

import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.MessagePage;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.media.Attachment;
import io.parley.media.MediaService;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Puts fresh, expiring links on the attachments of messages the edge hands to a member (frames, history, sync, the
 * conversation list). Events and read models keep attachments without links; a link is signed where it leaves, so it
 * always has its full {@code parley.media.url-ttl} ahead. Signing is local computation on both drivers (HMAC, SigV4).
 */
@Component
public class MediaLinks {

    private final MediaService media;

    MediaLinks(MediaService media) {
        this.media = media;
    }

    public List<Attachment> of(List<Attachment> attachments) {
        return attachments == null || attachments.isEmpty() ? List.of()
                : attachments.stream().map(media::links).toList();
    }

    public MessageView of(MessageView m) {
        return m == null || m.attachments() == null || m.attachments().isEmpty() ? m
                : new MessageView(m.conversationId(), m.messageId(), m.seq(), m.senderId(), m.text(), m.sentAt(),
                m.editedAt(), m.deleted(), of(m.attachments()));
    }

    public MessagePage of(MessagePage page) {
        return page.messages().stream().allMatch(m -> m.attachments() == null || m.attachments().isEmpty()) ? page
                : new MessagePage(page.messages().stream().map(this::of).toList(), page.hasMore());
    }

    public ConversationSummary of(ConversationSummary s) {
        return s.lastMessage() == null || s.lastMessage().attachments() == null
                || s.lastMessage().attachments().isEmpty() ? s
                : new ConversationSummary(s.conversationId(), s.type(), s.name(), s.members(), s.lastSeq(),
                s.readSeq(), s.deliveredSeq(), s.unread(), of(s.lastMessage()), s.updatedAt());
    }
}
