package io.parley.push.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenServiceTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    @TempDir
    Path dataDir;

    private final byte[] secret = randomBytes(32);
    private final String secretBase64 = Base64.getEncoder().encodeToString(secret);

    @Test
    void rolesTravelInTheTokenAndEveryUserIsAUser() {
        TokenService tokens = service(secretBase64, NOW);

        String admin = tokens.issue("user-1", "alice", java.util.Set.of(Role.ADMIN, Role.AUDITOR)).token();

        assertThat(tokens.verify(admin)).get().satisfies(user -> {
            assertThat(user.roles()).containsExactlyInAnyOrder(Role.USER, Role.ADMIN, Role.AUDITOR);
            assertThat(user.hasRole(Role.ANALYST)).isFalse();
        });
        assertThat(new RoleProperties(java.util.List.of("Alice"), null, java.util.List.of("bob")).of("alice"))
                .containsExactlyInAnyOrder(Role.USER, Role.ADMIN);
    }

    @Test
    void aTokenItIssuedVerifiesAsItsUser() {
        TokenService tokens = service(secretBase64, NOW);

        TokenService.IssuedToken issued = tokens.issue("user-1", "alice");

        assertThat(issued.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        assertThat(tokens.verify(issued.token())).contains(new AuthenticatedUser("user-1", "alice"));
        assertThat(issued.toString()).doesNotContain(issued.token());
    }

    @Test
    void anExpiredTokenIsRejected() {
        String token = service(secretBase64, NOW).issue("user-1", "alice").token();

        assertThat(service(secretBase64, NOW.plus(Duration.ofHours(24)).minusSeconds(1)).verify(token)).isPresent();
        assertThat(service(secretBase64, NOW.plus(Duration.ofHours(24))).verify(token)).isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRejected() {
        String token = service(Base64.getEncoder().encodeToString(randomBytes(32)), NOW).issue("user-1", "alice").token();

        assertThat(service(secretBase64, NOW).verify(token)).isEmpty();
    }

    @Test
    void anUnsignedAlgNoneTokenIsRejected() {
        TokenService tokens = service(secretBase64, NOW);
        String payload = encode("{\"iss\":\"parley\",\"sub\":\"user-1\",\"username\":\"alice\",\"iat\":"
                + NOW.getEpochSecond() + ",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}");
        String signature = tokens.issue("user-1", "alice").token().split("\\.")[2];

        assertThat(tokens.verify(encode("{\"alg\":\"none\"}") + "." + payload + ".")).isEmpty();
        assertThat(tokens.verify(encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".")).isEmpty();
        assertThat(tokens.verify(encode("{\"alg\":\"none\"}") + "." + payload + "." + signature)).isEmpty();
        assertThat(tokens.verify(encode("{\"alg\":\"HS256\"}") + "." + payload + ".")).isEmpty();
    }

    @Test
    void aTamperedPayloadIsRejected() {
        TokenService tokens = service(secretBase64, NOW);
        String[] parts = tokens.issue("user-1", "alice").token().split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = encode(claims.replace("user-1", "user-2"));

        assertThat(forged).isNotEqualTo(parts[1]);
        assertThat(tokens.verify(parts[0] + "." + forged + "." + parts[2])).isEmpty();
    }

    @Test
    void aTamperedSignatureIsRejected() {
        TokenService tokens = service(secretBase64, NOW);
        String token = tokens.issue("user-1", "alice").token();
        char last = token.charAt(token.length() - 5);
        String tampered = token.substring(0, token.length() - 5) + (last == 'A' ? 'B' : 'A') + token.substring(token.length() - 4);

        assertThat(tokens.verify(tampered)).isEmpty();
    }

    @Test
    void aTokenOfAnotherIssuerIsRejected() throws Exception {
        String token = sign(JWSAlgorithm.HS256, secret, claims().issuer("someone-else").build());

        assertThat(service(secretBase64, NOW).verify(token)).isEmpty();
        assertThat(service(secretBase64, NOW).verify(sign(JWSAlgorithm.HS256, secret, claims().build())))
                .as("the same claims from our issuer pass").isPresent();
    }

    @Test
    void aTokenWithoutSubjectOrExpiryIsRejected() throws Exception {
        TokenService tokens = service(secretBase64, NOW);

        assertThat(tokens.verify(sign(JWSAlgorithm.HS256, secret, claims().subject(null).build()))).isEmpty();
        assertThat(tokens.verify(sign(JWSAlgorithm.HS256, secret, claims().expirationTime(null).build()))).isEmpty();
        assertThat(tokens.verify(sign(JWSAlgorithm.HS256, secret, claims().claim("username", null).build()))).isEmpty();
    }

    @Test
    void anotherHmacAlgorithmWithTheSameKeyIsRejected() throws Exception {
        byte[] longSecret = randomBytes(64);
        String token = sign(JWSAlgorithm.HS512, longSecret, claims().build());

        assertThat(service(Base64.getEncoder().encodeToString(longSecret), NOW).verify(token)).isEmpty();
    }

    @Test
    void garbageIsRejected() {
        TokenService tokens = service(secretBase64, NOW);

        assertThat(tokens.verify(null)).isEmpty();
        assertThat(tokens.verify("")).isEmpty();
        assertThat(tokens.verify("not-a-token")).isEmpty();
        assertThat(tokens.verify("a.b.c")).isEmpty();
        assertThat(tokens.verify("x".repeat(10_000))).isEmpty();
    }

    @Test
    void aGeneratedKeyIsPersistedPrivatelyAndReusedAfterARestart() throws Exception {
        String token = service(null, NOW).issue("user-1", "alice").token();
        Path file = dataDir.resolve(TokenService.SECRET_FILE);

        assertThat(file).exists();
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(Base64.getDecoder().decode(Files.readString(file).trim())).hasSizeGreaterThanOrEqualTo(32);
        assertThat(service(null, NOW).verify(token)).as("a second instance on the same data dir")
                .contains(new AuthenticatedUser("user-1", "alice"));
        try (var files = Files.list(dataDir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void aConfiguredKeyWinsOverTheFile() {
        String token = service(null, NOW).issue("user-1", "alice").token();

        assertThat(service(secretBase64, NOW).verify(token)).isEmpty();
    }

    @Test
    void aConfiguredKeyShorterThan32BytesOrNotBase64IsRefused() {
        assertThatThrownBy(() -> service(Base64.getEncoder().encodeToString(randomBytes(31)), NOW))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> service("not base64 at all!", NOW)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aUrlSafeBase64KeyIsAccepted() {
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String token = service(urlSafe, NOW).issue("user-1", "alice").token();

        assertThat(service(secretBase64, NOW).verify(token)).isPresent();
    }

    private TokenService service(String configuredSecret, Instant now) {
        AuthProperties properties = new AuthProperties(Duration.ofHours(24), configuredSecret, 4, 10, Duration.ofMinutes(5));
        return new TokenService(properties, dataDir, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer("parley").subject("user-1").claim("username", "alice")
                .issueTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(3600)));
    }

    private static String sign(JWSAlgorithm algorithm, byte[] key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
        jwt.sign(new MACSigner(key));
        return jwt.serialize();
    }

    private static String encode(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
