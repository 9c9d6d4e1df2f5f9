package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Roles come from configuration at start and from an ADMIN at run time; a grant counts from the next login. */
class RoleGrantTest {

    @TempDir
    Path dataDir;

    @Test
    void anAdminGrantsAuditorAndTheUserGetsItAtTheNextLogin() {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=boss")) {
            ParleyClient boss = ParleyClient.signUpExactly(parley, "boss");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            assertThat(bob.call("GET", "/api/audit/access", null).status()).isEqualTo(403);

            assertThat(bob.call("PUT", "/api/admin/users/" + bob.userId + "/roles", json("roles", List.of("ADMIN")))
                    .status()).as("only admins grant").isEqualTo(403);
            assertThat(boss.call("PUT", "/api/admin/users/" + bob.userId + "/roles", json("roles", List.of("KING")))
                    .status()).isEqualTo(400);
            assertThat(boss.call("PUT", "/api/admin/users/no-such-user/roles", json("roles", List.of("AUDITOR")))
                    .status()).isEqualTo(404);

            ParleyClient.Response granted = boss.call("PUT", "/api/admin/users/" + bob.userId + "/roles",
                    json("roles", List.of("auditor")));
            assertThat(granted.status()).isEqualTo(200);
            assertThat(granted.body().get("roles").toString()).contains("AUDITOR");
            assertThat(bob.call("GET", "/api/audit/access", null).status()).as("not before the next login")
                    .isEqualTo(403);
            bob.logIn(parley);
            assertThat(bob.call("GET", "/api/audit/access", null).status()).isEqualTo(200);

            assertThat(boss.call("PUT", "/api/admin/users/" + bob.userId + "/roles", json("roles", List.of()))
                    .status()).isEqualTo(200);
            bob.logIn(parley);
            assertThat(bob.call("GET", "/api/audit/access", null).status()).as("revoked").isEqualTo(403);
            assertThat(boss.call("GET", "/api/admin/users/" + bob.userId + "/roles", null).body().get("roles"))
                    .isEmpty();
        }
    }
}
