-- The per-user keys of crypto-shredding (ErasureKeys). IF NOT EXISTS: a database from before Flyway already has the
-- table, and V1 then only records the history. Never edit: add V2.
CREATE TABLE IF NOT EXISTS erasure_keys (
    key_id VARCHAR(64) NOT NULL PRIMARY KEY,
    user_id VARCHAR(64) NOT NULL,
    key_bytes BYTEA,
    created_at TIMESTAMP NOT NULL,
    erased_at TIMESTAMP);

CREATE INDEX IF NOT EXISTS erasure_keys_user ON erasure_keys (user_id);
