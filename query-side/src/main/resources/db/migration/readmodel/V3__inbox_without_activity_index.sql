-- Issue 17: the conversation list no longer has an index of its own. Every message moves updated_at on every
-- member's row, so the index on (user_id, updated_at) was rewritten for each member of each message: H2 and
-- PostgreSQL update a row by removing and adding it in every index of its table. A user's list is read whole (no
-- LIMIT), by the primary key's leading user_id, and sorted after: a few hundred rows for most users. Only what H2 2.x
-- and PostgreSQL both accept. Never edit: add V4.
DROP INDEX IF EXISTS rm_inbox_by_user_updated;
