package io.parley.api.conversation;

import com.fasterxml.jackson.annotation.JsonValue;

/** Roles in a group. Members of a direct conversation are all {@link #MEMBER}. */
public enum MemberRole {
    OWNER, ADMIN, MEMBER;

    @JsonValue
    public String wireName() {
        return name().toLowerCase();
    }

    /** Owners and admins may add and remove others. */
    public boolean canManageMembers() {
        return this == OWNER || this == ADMIN;
    }
}
