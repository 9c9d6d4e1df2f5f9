-- Replies, mentions, reactions and blocks (issue 16). Separate tables, so rm_messages keeps its columns. Only what
-- H2 2.x and PostgreSQL both accept; IF NOT EXISTS, as V1, because an adopted database may hold them. Never edit: add V3.

-- The message a message answers (replyTo); the quote is built when read, so it follows edits and deletes.
CREATE TABLE IF NOT EXISTS rm_replies (
    conversation_id VARCHAR(255) NOT NULL,
    seq BIGINT NOT NULL,
    reply_to BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq));

-- Who a message mentions; is_read turns true when the mentioned member's read cursor passes the message. Rows of a
-- deleted message are removed.
CREATE TABLE IF NOT EXISTS rm_mentions (
    conversation_id VARCHAR(255) NOT NULL,
    seq BIGINT NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    is_read BOOLEAN NOT NULL,
    PRIMARY KEY (conversation_id, seq, user_id));

-- A user's unread mentions, per conversation (the inbox's unreadMentions).
CREATE INDEX IF NOT EXISTS rm_mentions_by_user ON rm_mentions (user_id, is_read);

-- One row per reaction present: a user's emoji on a message.
CREATE TABLE IF NOT EXISTS rm_reactions (
    conversation_id VARCHAR(255) NOT NULL,
    seq BIGINT NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    emoji VARCHAR(64) NOT NULL,
    reaction_version BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq, user_id, emoji));

-- Per message, the reaction change that last touched it: what sync answers a client that missed reactions.
CREATE TABLE IF NOT EXISTS rm_reaction_changes (
    conversation_id VARCHAR(255) NOT NULL,
    seq BIGINT NOT NULL,
    message_id VARCHAR(255) NOT NULL,
    reaction_version BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq));

CREATE INDEX IF NOT EXISTS rm_reaction_changes_by_version ON rm_reaction_changes (conversation_id, reaction_version);

-- Who a user has blocked.
CREATE TABLE IF NOT EXISTS rm_blocks (
    user_id VARCHAR(255) NOT NULL,
    blocked_user_id VARCHAR(255) NOT NULL,
    blocked_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (user_id, blocked_user_id));
