package io.parley.query.store.jdbc;

import io.parley.query.store.InboxEntry;
import io.parley.query.store.InboxStore;
import io.parley.query.store.MessageArrival;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Instant;
import java.util.List;
import java.util.Map;

final class JdbcInboxStore implements InboxStore {

    private final NamedParameterJdbcTemplate jdbc;

    JdbcInboxStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void join(String userId, String conversationId, long lastSeq, Instant at) {
        MapSqlParameterSource key = key(userId, conversationId);
        Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM rm_inbox"
                + " WHERE user_id = :userId AND conversation_id = :conversationId", key, Integer.class);
        if (present != null && present > 0) {
            return;
        }
        jdbc.update("INSERT INTO rm_inbox (user_id, conversation_id, last_seq, delivered_seq, read_seq, unread,"
                        + " updated_at) VALUES (:userId, :conversationId, :lastSeq, :lastSeq, :lastSeq, 0, :at)",
                key.addValue("lastSeq", lastSeq).addValue("at", Sql.time(at)));
    }

    @Override
    public void leave(String userId, String conversationId) {
        jdbc.update("DELETE FROM rm_inbox WHERE user_id = :userId AND conversation_id = :conversationId",
                key(userId, conversationId));
    }

    @Override
    public void messageArrived(String conversationId, long seq, String senderId, Instant at) {
        MapSqlParameterSource params = new MapSqlParameterSource("conversationId", conversationId)
                .addValue("seq", seq)
                .addValue("senderId", senderId)
                .addValue("at", Sql.time(at));
        // "last_seq < :seq" makes a redelivered message a no-op: it is counted once. One statement for the sender's row
        // (read up to its own message) and the others' (one more unread): two per message before.
        jdbc.update("UPDATE rm_inbox SET"
                + " unread = CASE WHEN user_id = :senderId THEN 0"
                + "   WHEN read_seq < :seq THEN unread + 1 ELSE unread END,"
                + " last_seq = :seq,"
                + " read_seq = CASE WHEN user_id = :senderId THEN GREATEST(read_seq, :seq) ELSE read_seq END,"
                + " delivered_seq = CASE WHEN user_id = :senderId THEN GREATEST(delivered_seq, :seq)"
                + "   ELSE delivered_seq END,"
                + " updated_at = GREATEST(updated_at, :at)"
                + " WHERE conversation_id = :conversationId AND last_seq < :seq", params);
    }

    /**
     * Per run of consecutive seqs, one statement for the rows of the members who sent none of the run's messages
     * (above their lastSeq) and one per sender for its own row, instead of one per message for every row: in a batch
     * of a busy group, its members' rows are rewritten once. Each row ends as {@link #messageArrived} for each message
     * in turn would leave it, which takes only the messages above its lastSeq: a sender of some of them has read up to
     * its last one (readSeq and deliveredSeq) and counts as unread those after it and above its readSeq; any other
     * member counts every message above its readSeq and lastSeq. updatedAt moves forward to the run's latest time.
     */
    @Override
    public void messagesArrived(String conversationId, List<MessageArrival> arrivals) {
        MessageArrival.runs(arrivals).forEach(run -> writeRun(conversationId, run));
    }

    private void writeRun(String conversationId, List<MessageArrival> run) {
        MessageArrival last = run.get(run.size() - 1);
        if (run.size() == 1) {
            messageArrived(conversationId, last.seq(), last.senderId(), last.at());
            return;
        }
        Instant latest = MessageArrival.latest(run);
        Map<String, Long> lastOfSender = MessageArrival.lastOfEachSender(run);
        MapSqlParameterSource[] senders = lastOfSender.entrySet().stream()
                .map(sender -> key(sender.getKey(), conversationId).addValue("own", sender.getValue())
                        .addValue("last", last.seq()).addValue("at", Sql.time(latest)))
                .toArray(MapSqlParameterSource[]::new);
        // The senders' rows first: a row that takes its own message moves to the run's last seq, which keeps the
        // statement after it away.
        jdbc.batchUpdate("UPDATE rm_inbox SET unread = GREATEST(0, :last - GREATEST(read_seq, :own)),"
                + " read_seq = GREATEST(read_seq, :own), delivered_seq = GREATEST(delivered_seq, :own),"
                + " last_seq = :last, updated_at = GREATEST(updated_at, :at)"
                + " WHERE user_id = :userId AND conversation_id = :conversationId AND last_seq < :own", senders);
        jdbc.update("UPDATE rm_inbox SET unread = unread + GREATEST(0, :last - GREATEST(read_seq, last_seq, :first - 1)),"
                        + " last_seq = :last, updated_at = GREATEST(updated_at, :at)"
                        + " WHERE conversation_id = :conversationId AND last_seq < :last",
                new MapSqlParameterSource("conversationId", conversationId).addValue("first", run.get(0).seq())
                        .addValue("last", last.seq()).addValue("at", Sql.time(latest)));
    }

    @Override
    public void delivered(String userId, String conversationId, long upToSeq) {
        jdbc.update("UPDATE rm_inbox SET delivered_seq = GREATEST(delivered_seq, :upTo)"
                + " WHERE user_id = :userId AND conversation_id = :conversationId",
                key(userId, conversationId).addValue("upTo", upToSeq));
    }

    @Override
    public void read(String userId, String conversationId, long upToSeq, long unreadAfter) {
        jdbc.update("UPDATE rm_inbox SET read_seq = :upTo, unread = :unread,"
                        + " delivered_seq = GREATEST(delivered_seq, :upTo)"
                        + " WHERE user_id = :userId AND conversation_id = :conversationId AND read_seq < :upTo",
                key(userId, conversationId).addValue("upTo", upToSeq).addValue("unread", unreadAfter));
    }

    @Override
    public void recount(String userId, String conversationId, long readSeq, long unread) {
        jdbc.update("UPDATE rm_inbox SET unread = :unread"
                        + " WHERE user_id = :userId AND conversation_id = :conversationId AND read_seq = :readSeq",
                key(userId, conversationId).addValue("readSeq", readSeq).addValue("unread", unread));
    }

    private static final String SELECT = "SELECT user_id, conversation_id, last_seq, delivered_seq, read_seq, unread,"
            + " updated_at FROM rm_inbox";

    private static final RowMapper<InboxEntry> ROW = (rs, n) -> new InboxEntry(rs.getString("user_id"),
            rs.getString("conversation_id"), rs.getLong("last_seq"), rs.getLong("delivered_seq"),
            rs.getLong("read_seq"), rs.getLong("unread"), Sql.instant(rs, "updated_at"));

    @Override
    public List<InboxEntry> ofUser(String userId) {
        return jdbc.query(SELECT + " WHERE user_id = :userId ORDER BY updated_at DESC, conversation_id",
                new MapSqlParameterSource("userId", userId), ROW);
    }

    @Override
    public List<InboxEntry> ofConversation(String conversationId) {
        return jdbc.query(SELECT + " WHERE conversation_id = :conversationId ORDER BY user_id",
                new MapSqlParameterSource("conversationId", conversationId), ROW);
    }

    @Override
    public void clear() {
        jdbc.getJdbcTemplate().update("DELETE FROM rm_inbox");
    }

    private static MapSqlParameterSource key(String userId, String conversationId) {
        return new MapSqlParameterSource("userId", userId).addValue("conversationId", conversationId);
    }
}
