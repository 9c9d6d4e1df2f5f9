-- The SQL read model (parley.read-store=embedded). Only what H2 2.x and PostgreSQL both accept: VARCHAR without a length
-- for free text, TIMESTAMP WITH TIME ZONE for instants (microsecond precision on both). IF NOT EXISTS: a database from
-- before Flyway already has these tables, and V1 then only records the history. Never edit: add V2.
CREATE TABLE IF NOT EXISTS rm_messages (
    conversation_id VARCHAR(255) NOT NULL,
    seq BIGINT NOT NULL,
    message_id VARCHAR(255) NOT NULL,
    sender_id VARCHAR(255) NOT NULL,
    body VARCHAR,
    sent_at TIMESTAMP WITH TIME ZONE NOT NULL,
    edited_at TIMESTAMP WITH TIME ZONE,
    deleted BOOLEAN NOT NULL,
    attachments VARCHAR,
    PRIMARY KEY (conversation_id, seq));

CREATE TABLE IF NOT EXISTS rm_conversations (
    conversation_id VARCHAR(255) NOT NULL PRIMARY KEY,
    conversation_type VARCHAR(16) NOT NULL,
    name VARCHAR,
    members_version BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL);

CREATE TABLE IF NOT EXISTS rm_conversation_members (
    conversation_id VARCHAR(255) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    member_role VARCHAR(16) NOT NULL,
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id));

CREATE TABLE IF NOT EXISTS rm_inbox (
    user_id VARCHAR(255) NOT NULL,
    conversation_id VARCHAR(255) NOT NULL,
    last_seq BIGINT NOT NULL,
    delivered_seq BIGINT NOT NULL,
    read_seq BIGINT NOT NULL,
    unread BIGINT NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (user_id, conversation_id));

-- The conversation list of a user, most recently active first.
CREATE INDEX IF NOT EXISTS rm_inbox_by_user_updated ON rm_inbox (user_id, updated_at DESC);

-- A message fans out to every row of its conversation.
CREATE INDEX IF NOT EXISTS rm_inbox_by_conversation ON rm_inbox (conversation_id);

CREATE TABLE IF NOT EXISTS rm_users (
    user_id VARCHAR(255) NOT NULL PRIMARY KEY,
    username VARCHAR(255) NOT NULL,
    display_name VARCHAR,
    registered_at TIMESTAMP WITH TIME ZONE);

-- Finding users by the start of their username.
CREATE INDEX IF NOT EXISTS rm_users_by_username ON rm_users (username);

-- How far each projection has come (io.parley.query.store.ProjectionPosition), committed with its batch.
CREATE TABLE IF NOT EXISTS rm_positions (
    processor_name VARCHAR(255) NOT NULL,
    segment INTEGER NOT NULL,
    token_index BIGINT NOT NULL,
    gaps VARCHAR,
    replaying BOOLEAN NOT NULL,
    PRIMARY KEY (processor_name, segment));
