-- Media uploads and where they were attached (one script for H2 2.x and PostgreSQL). Times are epoch milliseconds.
CREATE TABLE IF NOT EXISTS media_objects (
    media_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
    owner_id      VARCHAR(128) NOT NULL,
    name          VARCHAR(255) NOT NULL,
    declared_type VARCHAR(255) NOT NULL,
    declared_size BIGINT       NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    content_type  VARCHAR(255),
    size          BIGINT,
    sha256        VARCHAR(64),
    width         INTEGER,
    height        INTEGER,
    thumbnail     BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at    BIGINT       NOT NULL,
    completed_at  BIGINT
);
CREATE INDEX IF NOT EXISTS media_objects_owner ON media_objects (owner_id, created_at);
CREATE INDEX IF NOT EXISTS media_objects_state ON media_objects (state, created_at);

CREATE TABLE IF NOT EXISTS media_uses (
    media_id        VARCHAR(64)  NOT NULL,
    conversation_id VARCHAR(128) NOT NULL,
    seq             BIGINT       NOT NULL,
    message_id      VARCHAR(64)  NOT NULL,
    PRIMARY KEY (media_id, conversation_id, seq)
);
CREATE INDEX IF NOT EXISTS media_uses_message ON media_uses (conversation_id, seq);
