package io.parley.command.conversation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.Emoji;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the reaction rule accepts as one emoji, and the shape old MessageSent events are read in. */
class EmojiTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "\uD83D\uDC4D",                                   // thumbs up
            "\uD83D\uDC4D\uD83C\uDFFD",                       // thumbs up, medium skin tone
            "\u2764\uFE0F",                                   // red heart with VS16
            "\u2764",                                         // red heart, text presentation
            "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66", // family (ZWJ sequence)
            "\uD83C\uDDE9\uD83C\uDDEA",                       // flag of Germany (regional indicators)
            "1\uFE0F\u20E3",                                  // keycap 1
            "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F", // Scotland
            "\uD83D\uDE02"})                                  // face with tears of joy
    void oneEmojiIsAReaction(String emoji) {
        assertTrue(Emoji.isSingleEmoji(emoji), emoji);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a", "ok", "1", "#", "\uD83D\uDC4D\uD83D\uDC4D", "\uD83D\uDC4D ", "e\u0301",
            "\u4E2D", "\uD83C\uDDE9", "\uD83D", "\u200D", "\uD83D\uDC4Dx"})
    void textTwoEmojiOrABrokenSequenceIsNot(String text) {
        assertFalse(Emoji.isSingleEmoji(text), text);
    }

    @Test
    void aMessageSentWrittenBeforeMentionsAndRepliesReadsThemAsNull() throws Exception {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
        MessageSent old = json.readValue("{\"conversationId\":\"c\",\"messageId\":\"m\",\"seq\":1,\"senderId\":\"s\","
                + "\"clientMsgId\":\"x\",\"text\":\"hi\",\"attachments\":[],\"sentAt\":\"2024-05-01T10:15:30Z\"}",
                MessageSent.class);
        assertEquals(java.util.List.of(), old.mentionsOrNone());
        assertNull(old.replyTo());
        assertEquals("hi", old.text());
    }

    @Test
    void aMessageSentKeepsItsMentionsAndReplyThroughJackson() throws Exception {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
        MessageSent sent = new MessageSent("c", "m", 2, "s", "x", "hi", java.util.List.of(),
                java.time.Instant.parse("2024-05-01T10:15:30Z"), java.util.List.of("u-1"), 1L);
        assertEquals(sent, json.readValue(json.writeValueAsString(sent), MessageSent.class));
    }
}
