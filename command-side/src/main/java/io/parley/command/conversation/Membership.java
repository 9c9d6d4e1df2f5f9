package io.parley.command.conversation;

import io.parley.api.conversation.MemberRole;

/**
 * What the aggregate remembers of one member.
 *
 * @param role         owner, admin or member
 * @param joinOrder    position in the order of joining (smaller = longer standing); decides who inherits ownership
 * @param deliveredSeq the member's delivered cursor: every message up to it has reached one of their devices
 * @param readSeq      the member's read cursor; never above {@code deliveredSeq}
 */
record Membership(MemberRole role, long joinOrder, long deliveredSeq, long readSeq) {

    static Membership joining(MemberRole role, long joinOrder) {
        return new Membership(role, joinOrder, 0, 0);
    }

    Membership withRole(MemberRole newRole) {
        return new Membership(newRole, joinOrder, deliveredSeq, readSeq);
    }

    Membership deliveredUpTo(long seq) {
        return new Membership(role, joinOrder, Math.max(deliveredSeq, seq), readSeq);
    }

    /** Reading a message implies it was delivered. */
    Membership readUpTo(long seq) {
        return new Membership(role, joinOrder, Math.max(deliveredSeq, seq), Math.max(readSeq, seq));
    }
}
