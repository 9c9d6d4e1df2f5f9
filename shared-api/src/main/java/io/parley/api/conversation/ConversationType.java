package io.parley.api.conversation;

import com.fasterxml.jackson.annotation.JsonValue;

/** Direct (exactly two members, fixed) or group (named, roles, members come and go). */
public enum ConversationType {
    DIRECT, GROUP;

    @JsonValue
    public String wireName() {
        return name().toLowerCase();
    }
}
