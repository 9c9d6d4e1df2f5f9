-- The notification service's tables (H2 2.x and PostgreSQL alike). Kept outside the event store, like credentials:
-- push targets are addresses at other companies' services, not facts of a conversation.

-- Push targets a user registered (Web Push subscription, FCM token, APNs token, webhook URL).
CREATE TABLE IF NOT EXISTS ntf_targets (
    target_id    VARCHAR(64)   NOT NULL PRIMARY KEY,
    user_id      VARCHAR(64)   NOT NULL,
    kind         VARCHAR(16)   NOT NULL,
    address      VARCHAR(2048) NOT NULL,
    address_hash VARCHAR(64)   NOT NULL,
    p256dh       VARCHAR(256),
    auth         VARCHAR(64),
    secret       VARCHAR(128),
    label        VARCHAR(200),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT ntf_targets_unique UNIQUE (user_id, kind, address_hash)
);
CREATE INDEX IF NOT EXISTS ntf_targets_user ON ntf_targets (user_id);

-- The account's preview setting; no row: the defaults (sender name shown, preview text hidden).
CREATE TABLE IF NOT EXISTS ntf_account_settings (
    user_id      VARCHAR(64) NOT NULL PRIMARY KEY,
    show_sender  BOOLEAN     NOT NULL,
    show_preview BOOLEAN     NOT NULL
);

-- Per-conversation settings of a user; no row: not muted, every message.
CREATE TABLE IF NOT EXISTS ntf_conversation_settings (
    user_id         VARCHAR(64) NOT NULL,
    conversation_id VARCHAR(64) NOT NULL,
    muted_until     TIMESTAMP WITH TIME ZONE,
    muted_forever   BOOLEAN     NOT NULL,
    mentions_only   BOOLEAN     NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);

-- What the notification processor remembers from the events: members, conversation names, display names.
CREATE TABLE IF NOT EXISTS ntf_members (
    conversation_id VARCHAR(64) NOT NULL,
    user_id         VARCHAR(64) NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE TABLE IF NOT EXISTS ntf_conversations (
    conversation_id VARCHAR(64)  NOT NULL PRIMARY KEY,
    kind            VARCHAR(16)  NOT NULL,
    name            VARCHAR(200)
);
CREATE TABLE IF NOT EXISTS ntf_users (
    user_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
    display_name VARCHAR(200)
);

-- A notification waiting for its delay, one per (recipient, conversation): a burst coalesces into it. It is due a
-- quiet period after the last message joined it, and no later than max-delay after the first (first_at).
CREATE TABLE IF NOT EXISTS ntf_pending (
    user_id         VARCHAR(64) NOT NULL,
    conversation_id VARCHAR(64) NOT NULL,
    sender_id       VARCHAR(64) NOT NULL,
    message_id      VARCHAR(64) NOT NULL,
    first_seq       BIGINT      NOT NULL,
    last_seq        BIGINT      NOT NULL,
    message_count   INTEGER     NOT NULL,
    preview         VARCHAR(1000),
    mentioned       BOOLEAN     NOT NULL,
    first_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    due_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);
CREATE INDEX IF NOT EXISTS ntf_pending_due ON ntf_pending (due_at);

-- One send to one target (the outbox), retried with backoff; state DEAD is the dead-letter record.
CREATE TABLE IF NOT EXISTS ntf_deliveries (
    delivery_id     VARCHAR(64)   NOT NULL PRIMARY KEY,
    target_id       VARCHAR(64)   NOT NULL,
    user_id         VARCHAR(64)   NOT NULL,
    conversation_id VARCHAR(64)   NOT NULL,
    payload         VARCHAR(4000) NOT NULL,
    state           VARCHAR(16)   NOT NULL,
    attempts        INTEGER       NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    claimed_until   TIMESTAMP WITH TIME ZONE,
    last_error      VARCHAR(500),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    dead_at         TIMESTAMP WITH TIME ZONE
);
CREATE INDEX IF NOT EXISTS ntf_deliveries_due ON ntf_deliveries (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS ntf_deliveries_target ON ntf_deliveries (target_id);
