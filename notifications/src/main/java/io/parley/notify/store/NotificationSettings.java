package io.parley.notify.store;

import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Instant;

/**
 * A user's notification settings: the account's preview setting ({@code ntf_account_settings}) and, per conversation,
 * mute and mentions-only ({@code ntf_conversation_settings}). No row means the defaults.
 */
public class NotificationSettings {

    /**
     * What a notification shows on a lock screen.
     *
     * @param showSender  the sender's display name (default on)
     * @param showPreview the message text (default off: a lock screen is seen by others; docs/decisions.md)
     */
    public record AccountSettings(boolean showSender, boolean showPreview) {
        public static final AccountSettings DEFAULT = new AccountSettings(true, false);
    }

    /**
     * @param mutedUntil   muted up to this instant (null: not muted for a time)
     * @param mutedForever muted until unmuted
     * @param mentionsOnly notify only for messages that mention the user (also while muted)
     */
    public record ConversationSettings(Instant mutedUntil, boolean mutedForever, boolean mentionsOnly) {
        public static final ConversationSettings DEFAULT = new ConversationSettings(null, false, false);

        public boolean mutedAt(Instant when) {
            return mutedForever || (mutedUntil != null && mutedUntil.isAfter(when));
        }

        /** The rule: mentions-only lets only mentions through, and lets them through a mute too. */
        public boolean notifies(boolean mentioned, Instant when) {
            if (mentionsOnly) {
                return mentioned;
            }
            return !mutedAt(when);
        }
    }

    private final JdbcTemplate jdbc;

    public NotificationSettings(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public AccountSettings account(String userId) {
        return jdbc.query("SELECT show_sender, show_preview FROM ntf_account_settings WHERE user_id = ?",
                        (rs, n) -> new AccountSettings(rs.getBoolean(1), rs.getBoolean(2)), userId)
                .stream().findFirst().orElse(AccountSettings.DEFAULT);
    }

    public void saveAccount(String userId, AccountSettings settings) {
        if (jdbc.update("UPDATE ntf_account_settings SET show_sender = ?, show_preview = ? WHERE user_id = ?",
                settings.showSender(), settings.showPreview(), userId) == 0) {
            jdbc.update("INSERT INTO ntf_account_settings (user_id, show_sender, show_preview) VALUES (?, ?, ?)",
                    userId, settings.showSender(), settings.showPreview());
        }
    }

    public ConversationSettings conversation(String userId, String conversationId) {
        return jdbc.query("SELECT muted_until, muted_forever, mentions_only FROM ntf_conversation_settings"
                                + " WHERE user_id = ? AND conversation_id = ?",
                        (rs, n) -> new ConversationSettings(Sql.instant(rs, "muted_until"), rs.getBoolean(2),
                                rs.getBoolean(3)), userId, conversationId)
                .stream().findFirst().orElse(ConversationSettings.DEFAULT);
    }

    public void saveConversation(String userId, String conversationId, ConversationSettings settings) {
        if (jdbc.update("UPDATE ntf_conversation_settings SET muted_until = ?, muted_forever = ?, mentions_only = ?"
                        + " WHERE user_id = ? AND conversation_id = ?", Sql.time(settings.mutedUntil()),
                settings.mutedForever(), settings.mentionsOnly(), userId, conversationId) == 0) {
            jdbc.update("INSERT INTO ntf_conversation_settings (user_id, conversation_id, muted_until, muted_forever,"
                            + " mentions_only) VALUES (?, ?, ?, ?, ?)", userId, conversationId,
                    Sql.time(settings.mutedUntil()), settings.mutedForever(), settings.mentionsOnly());
        }
    }
}
