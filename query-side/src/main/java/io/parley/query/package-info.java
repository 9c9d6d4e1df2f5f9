/**
 * The query side: projections of the event stream into read models, and the query handlers answering from them.
 *
 * <p>Decisions a user notices (DESIGN.md leaves them open):
 * <ul>
 *   <li>The inbox counts as unread only messages of others above the member's read cursor that are not deleted: a
 *   delete lowers the count of every member who had not read that far. Sending a message reads up
 *   to it: the sender's read and delivered cursors move to its seq and its unread count drops to 0.</li>
 *   <li>A member added to a group starts with its cursors at the conversation's current lastSeq: history is visible,
 *   but what was said before joining is not unread. A member who leaves or is removed loses the inbox row, so the
 *   conversation disappears from their list; being added again starts afresh.</li>
 *   <li>A direct conversation appears in both members' lists as soon as it is opened.</li>
 *   <li>The list is ordered by the member's last activity: a new message, or their joining. Reading does not reorder it.</li>
 *   <li>A deleted message stays in history as a tombstone (seq, sender, sentAt, {@code deleted=true}) with text and
 *   attachments removed; later edits do not revive it. The last message in the list reflects edits and deletions.</li>
 *   <li>Times are kept at microsecond precision in SQL and millisecond precision in MongoDB.</li>
 * </ul>
 *
 * <p>Processors: {@code conversation-projection} (messages, conversations, inbox) and {@code user-projection} (users).
 * The read store is chosen by {@code parley.read-store}: {@code embedded} (default, SQL on the application's DataSource,
 * committing with the tracking token) or {@code mongo}.
 */
package io.parley.query;
