-- Revocable sessions (issue 13): each user's token version (raising it ends every session issued before), the ended
-- sessions (the revocation list and the feed by which push nodes learn of it) and used one-time socket tickets.
-- One script for H2 2.x and PostgreSQL; IF NOT EXISTS because a database may already hold them (the hand-run DDL these
-- replaced). Never edit: add V3.
ALTER TABLE credentials ADD COLUMN IF NOT EXISTS token_version BIGINT DEFAULT 0 NOT NULL;

CREATE TABLE IF NOT EXISTS ended_sessions (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    user_id VARCHAR(64) NOT NULL,
    session_id VARCHAR(128),
    ended_at TIMESTAMP NOT NULL,
    keep_until TIMESTAMP NOT NULL);

CREATE INDEX IF NOT EXISTS ended_sessions_by_user ON ended_sessions (user_id);

CREATE INDEX IF NOT EXISTS ended_sessions_by_time ON ended_sessions (ended_at);

CREATE TABLE IF NOT EXISTS used_socket_tickets (
    ticket_id VARCHAR(64) NOT NULL PRIMARY KEY,
    keep_until TIMESTAMP NOT NULL);
