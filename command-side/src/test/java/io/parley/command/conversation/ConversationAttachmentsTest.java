package io.parley.command.conversation;

import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.media.Attachment;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Collections;
import java.util.List;

import static io.parley.command.conversation.ConversationTestData.ALICE;
import static io.parley.command.conversation.ConversationTestData.DIRECT;
import static io.parley.command.conversation.ConversationTestData.aliceAndBobOpened;
import static io.parley.command.conversation.ConversationTestData.matching;
import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.messageWithPayload;
import static org.hamcrest.Matchers.containsString;

/** The aggregate's rules for messages that carry pictures, videos and files (checked media, from the edge). */
class ConversationAttachmentsTest {

    private static final Attachment PHOTO = Attachment.of("m-1", "beach.jpg", "image/jpeg", 1234, "ab".repeat(32),
            1600, 1200, true);

    private AggregateTestFixture<Conversation> fixture;

    @BeforeEach
    void setUp() {
        fixture = ConversationTestData.fixture();
    }

    @Test
    void aMessageMayCarryAttachmentsWithoutText() {
        fixture.given(aliceAndBobOpened())
                .when(new SendMessage(DIRECT, ALICE, "c-1", null, List.of(PHOTO), null, null))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("a photo without text",
                        MessageSent.class, sent -> sent.text() == null && sent.attachments().equals(List.of(PHOTO)))),
                        andNoMore()));
    }

    @Test
    void aCaptionIsKeptBesideTheAttachments() {
        fixture.given(aliceAndBobOpened())
                .when(new SendMessage(DIRECT, ALICE, "c-1", "Look!", List.of(PHOTO), null, null))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("a photo with its caption",
                        MessageSent.class, sent -> "Look!".equals(sent.text())
                                && sent.attachments().equals(List.of(PHOTO)))), andNoMore()));
    }

    @Test
    void linksAreNeverStoredInTheEvent() {
        Attachment linked = PHOTO.withLinks("/media/files/x?sig=secret", "/media/files/y?sig=secret",
                Instant.parse("2026-01-01T00:00:00Z"));
        fixture.given(aliceAndBobOpened())
                .when(new SendMessage(DIRECT, ALICE, "c-1", null, List.of(linked), null, null))
                .expectEventsMatching(exactSequenceOf(messageWithPayload(matching("the photo without links",
                        MessageSent.class, sent -> sent.attachments().get(0).url() == null
                                && sent.attachments().get(0).thumbnailUrl() == null
                                && sent.attachments().get(0).equals(PHOTO))), andNoMore()));
    }

    @Test
    void aMessageWithNeitherTextNorAttachmentsIsRefused() {
        fixture.given(aliceAndBobOpened())
                .when(new SendMessage(DIRECT, ALICE, "c-1", null, List.of(), null, null))
                .expectException(InvalidCommandException.class)
                .expectNoEvents();
    }

    @Test
    void aBlankCaptionIsRefusedEvenWithAttachments() {
        fixture.given(aliceAndBobOpened())
                .when(new SendMessage(DIRECT, ALICE, "c-1", "  ", List.of(PHOTO), null, null))
                .expectException(InvalidCommandException.class)
                .expectNoEvents();
    }

    @Test
    void moreAttachmentsThanTheHardBoundAreRefused() {
        fixture.given(aliceAndBobOpened())
                .when(new SendMessage(DIRECT, ALICE, "c-1", "x",
                        Collections.nCopies(SendMessage.MAX_ATTACHMENTS + 1, PHOTO), null, null))
                .expectException(InvalidCommandException.class)
                .expectExceptionMessage(containsString("at most " + SendMessage.MAX_ATTACHMENTS + " attachments"))
                .expectNoEvents();
    }
}
