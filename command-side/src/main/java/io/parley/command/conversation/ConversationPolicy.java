package io.parley.command.conversation;

/**
 * The limits the {@link Conversation} aggregate enforces. Axon hands the Spring bean to command handlers as a
 * parameter, so limits change by configuration ({@code parley.conversation.*}) without touching the aggregate.
 *
 * @param maxTextLength characters (Unicode code points) a message may have
 * @param maxGroupSize  members a group may have, its owner included
 * @param editWindow    how many of a conversation's most recent messages may still be edited or deleted; at most
 *                      {@link MessageWindow#CAPACITY}, the number of messages whose facts the aggregate retains
 */
record ConversationPolicy(int maxTextLength, int maxGroupSize, int editWindow) {

    static final ConversationPolicy DEFAULTS = new ConversationPolicy(4_000, 1_000, 10_000);

    ConversationPolicy {
        if (maxTextLength < 1) {
            throw new IllegalArgumentException("parley.conversation.max-text-length must be at least 1");
        }
        if (maxGroupSize < 2) {
            throw new IllegalArgumentException("parley.conversation.max-group-size must be at least 2");
        }
        if (editWindow < 0 || editWindow > MessageWindow.CAPACITY) {
            throw new IllegalArgumentException("parley.conversation.edit-window must be between 0 and "
                    + MessageWindow.CAPACITY + " (the messages the aggregate retains), was " + editWindow);
        }
    }
}
