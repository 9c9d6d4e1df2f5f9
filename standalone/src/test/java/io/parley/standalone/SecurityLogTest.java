package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.nio.file.Path;
import java.util.List;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The security log ({@code parley.security}): failed logins, a lockout, a refused token, a refused password change
 * and a role change each leave a line an operator keeps (WARN/INFO), with who and from where, and never the
 * password or the token.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityLogTest {

    @TempDir
    Path dataDir;

    @Test
    void failedLoginsLockoutsRefusedTokensAndRoleChangesAreLoggedWithoutSecrets(CapturedOutput output) {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=boss",
                "parley.auth.max-login-failures=3")) {
            ParleyClient boss = ParleyClient.signUpExactly(parley, "boss");
            ParleyClient alice = ParleyClient.signUp(parley, "alice");

            for (int i = 0; i < 3; i++) {
                assertThat(alice.call("POST", "/api/sessions", json("username", alice.username,
                        "password", "hunter2-guess-" + i), null).status()).isEqualTo(401);
            }
            assertThat(alice.call("POST", "/api/sessions", json("username", alice.username,
                    "password", "hunter2-guess-3"), null).status()).isEqualTo(429);
            assertThat(alice.call("GET", "/api/conversations", null, "eyJhbGciOiJIUzI1NiJ9.e30.forged-signature")
                    .status()).isEqualTo(401);
            assertThat(boss.call("PUT", "/api/admin/users/" + alice.userId + "/roles", json("roles", List.of("AUDITOR")))
                    .status()).isEqualTo(200);

            await().untilAsserted(() -> assertThat(output.getOut()).contains("roles changed"));
            List<String> lines = output.getOut().lines().filter(line -> line.contains("parley.security")).toList();
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("WARN")
                    .contains("login failed: user=" + alice.username + " address=").contains("bad username or password"));
            assertThat(lines.stream().filter(line -> line.contains("login failed"))).hasSize(3);
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("WARN")
                    .contains("login refused: user=" + alice.username).contains("locked out"));
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("INFO").contains("token refused"));
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("WARN")
                    .contains("roles changed: userId=" + alice.userId + " from=[] to=[AUDITOR] by=" + boss.userId));
            assertThat(output.getOut()).as("no password, no token")
                    .doesNotContain("hunter2").doesNotContain("forged-signature").doesNotContain(boss.token)
                    .doesNotContain("correct horse battery");
        }
    }
}
