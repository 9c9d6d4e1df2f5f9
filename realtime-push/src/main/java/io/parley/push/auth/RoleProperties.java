package io.parley.push.auth;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Roles granted at start by username ({@code parley.roles.admins}, {@code .auditors}, {@code .analysts}, each a
 * comma-separated list). A grant takes effect at the user's next login.
 */
@ConfigurationProperties(prefix = "parley.roles")
record RoleProperties(List<String> admins, List<String> auditors, List<String> analysts) {

    RoleProperties {
        admins = lower(admins);
        auditors = lower(auditors);
        analysts = lower(analysts);
    }

    Set<Role> of(String username) {
        Set<Role> roles = EnumSet.of(Role.USER);
        String name = username.toLowerCase();
        if (admins.contains(name)) {
            roles.add(Role.ADMIN);
        }
        if (auditors.contains(name)) {
            roles.add(Role.AUDITOR);
        }
        if (analysts.contains(name)) {
            roles.add(Role.ANALYST);
        }
        return roles;
    }

    private static List<String> lower(List<String> names) {
        return names == null ? List.of() : names.stream().map(String::trim).map(String::toLowerCase).toList();
    }
}
