package io.parley.push.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;

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
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issuing, and what the security chain's decoders (Spring Security's {@code NimbusReactiveJwtDecoder}) accept. */
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

        String admin = tokens.issue("user-1", "alice", Set.of(Role.ADMIN, Role.AUDITOR), 0).token();

        assertThat(verify(tokens, admin)).get().satisfies(user -> {
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
        assertThat(verify(tokens, issued.token())).get().satisfies(user -> {
            assertThat(user.userId()).isEqualTo("user-1");
            assertThat(user.username()).isEqualTo("alice");
            assertThat(user.roles()).containsExactly(Role.USER);
            assertThat(user.tokenVersion()).isZero();
            assertThat(user.sessionId()).isNotBlank();
            assertThat(user.expiresAt()).isEqualTo(issued.expiresAt());
        });
        assertThat(issued.toString()).doesNotContain(issued.token());
    }

    @Test
    void everyLoginIsASessionOfItsOwnAndCarriesTheUsersTokenVersion() {
        TokenService tokens = service(secretBase64, NOW);

        AuthenticatedUser first = verify(tokens, tokens.issue("user-1", "alice", Set.of(Role.USER), 3).token())
                .orElseThrow();
        AuthenticatedUser second = verify(tokens, tokens.issue("user-1", "alice", Set.of(Role.USER), 3).token())
                .orElseThrow();

        assertThat(first.sessionId()).isNotEqualTo(second.sessionId());
        assertThat(first.tokenVersion()).isEqualTo(3);
    }

    @Test
    void aSocketTicketIsForTheSocketOnlyAndASessionTokenIsNoTicket() {
        TokenService tokens = service(secretBase64, NOW);
        String token = tokens.issue("user-1", "alice", Set.of(Role.USER, Role.ADMIN), 2).token();
        AuthenticatedUser user = verify(tokens, token).orElseThrow();

        TokenService.IssuedToken ticket = tokens.issueTicket(user);

        assertThat(ticket.expiresAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(verify(tokens, ticket.token())).as("a ticket is not a session token").isEmpty();
        assertThat(tokens.socketTickets().decode(token).onErrorComplete(JwtException.class).blockOptional())
                .as("a session token is not a ticket").isEmpty();
        Jwt decoded = tokens.socketTickets().decode(ticket.token()).block();
        assertThat(decoded.getId()).isNotBlank();
        assertThat(TokenService.userOf(decoded)).isEqualTo(new AuthenticatedUser("user-1", "alice",
                Set.of(Role.USER, Role.ADMIN), user.sessionId(), 2, ticket.expiresAt()));
        assertThat(service(secretBase64, NOW.plusSeconds(30)).socketTickets().decode(ticket.token())
                .onErrorComplete(JwtException.class).blockOptional()).as("expired").isEmpty();
    }

    @Test
    void anExpiredTokenIsRejected() {
        String token = service(secretBase64, NOW).issue("user-1", "alice").token();

        assertThat(verify(service(secretBase64, NOW.plus(Duration.ofHours(24)).minusSeconds(1)), token)).isPresent();
        assertThat(verify(service(secretBase64, NOW.plus(Duration.ofHours(24))), token)).isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRejected() {
        String token = service(Base64.getEncoder().encodeToString(randomBytes(32)), NOW).issue("user-1", "alice").token();

        assertThat(verify(service(secretBase64, NOW), token)).isEmpty();
    }

    @Test
    void anUnsignedAlgNoneTokenIsRejected() {
        TokenService tokens = service(secretBase64, NOW);
        String payload = encode("{\"iss\":\"parley\",\"sub\":\"user-1\",\"username\":\"alice\",\"iat\":"
                + NOW.getEpochSecond() + ",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}");
        String signature = tokens.issue("user-1", "alice").token().split("\\.")[2];

        assertThat(verify(tokens, encode("{\"alg\":\"none\"}") + "." + payload + ".")).isEmpty();
        assertThat(verify(tokens, encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".")).isEmpty();
        assertThat(verify(tokens, encode("{\"alg\":\"none\"}") + "." + payload + "." + signature)).isEmpty();
        assertThat(verify(tokens, encode("{\"alg\":\"HS256\"}") + "." + payload + ".")).isEmpty();
    }

    @Test
    void aTamperedPayloadIsRejected() {
        TokenService tokens = service(secretBase64, NOW);
        String[] parts = tokens.issue("user-1", "alice").token().split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = encode(claims.replace("user-1", "user-2"));

        assertThat(forged).isNotEqualTo(parts[1]);
        assertThat(verify(tokens, parts[0] + "." + forged + "." + parts[2])).isEmpty();
    }

    @Test
    void aTamperedSignatureIsRejected() {
        TokenService tokens = service(secretBase64, NOW);
        String token = tokens.issue("user-1", "alice").token();
        char last = token.charAt(token.length() - 5);
        String tampered = token.substring(0, token.length() - 5) + (last == 'A' ? 'B' : 'A') + token.substring(token.length() - 4);

        assertThat(verify(tokens, tampered)).isEmpty();
    }

    @Test
    void aTokenOfAnotherIssuerIsRejected() throws Exception {
        String token = sign(JWSAlgorithm.HS256, secret, claims().issuer("someone-else").build());

        assertThat(verify(service(secretBase64, NOW), token)).isEmpty();
        assertThat(verify(service(secretBase64, NOW), sign(JWSAlgorithm.HS256, secret, claims().build())))
                .as("the same claims from our issuer pass").isPresent();
    }

    @Test
    void aTokenWithoutSubjectOrExpiryIsRejected() throws Exception {
        TokenService tokens = service(secretBase64, NOW);

        assertThat(verify(tokens, sign(JWSAlgorithm.HS256, secret, claims().subject(null).build()))).isEmpty();
        assertThat(verify(tokens, sign(JWSAlgorithm.HS256, secret, claims().expirationTime(null).build()))).isEmpty();
        assertThat(verify(tokens, sign(JWSAlgorithm.HS256, secret, claims().claim("username", null).build()))).isEmpty();
    }

    @Test
    void anotherHmacAlgorithmWithTheSameKeyIsRejected() throws Exception {
        byte[] longSecret = randomBytes(64);
        String token = sign(JWSAlgorithm.HS512, longSecret, claims().build());

        assertThat(verify(service(Base64.getEncoder().encodeToString(longSecret), NOW), token)).isEmpty();
    }

    @Test
    void garbageIsRejected() {
        TokenService tokens = service(secretBase64, NOW);

        assertThat(verify(tokens, "")).isEmpty();
        assertThat(verify(tokens, "not-a-token")).isEmpty();
        assertThat(verify(tokens, "a.b.c")).isEmpty();
        assertThat(verify(tokens, "x".repeat(10_000))).isEmpty();
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
        assertThat(verify(service(null, NOW), token)).as("a second instance on the same data dir")
                .map(AuthenticatedUser::userId).contains("user-1");
        try (var files = Files.list(dataDir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void aConfiguredKeyWinsOverTheFile() {
        String token = service(null, NOW).issue("user-1", "alice").token();

        assertThat(verify(service(secretBase64, NOW), token)).isEmpty();
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

        assertThat(verify(service(secretBase64, NOW), token)).isPresent();
    }

    private TokenService service(String configuredSecret, Instant now) {
        AuthProperties properties = new AuthProperties(Duration.ofHours(24), configuredSecret, 4, 10,
                Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofSeconds(30), null, null);
        return new TokenService(properties, dataDir, Clock.fixed(now, ZoneOffset.UTC));
    }

    /** What the security chain's session-token decoder makes of a token: its user, or nothing. */
    private static Optional<AuthenticatedUser> verify(TokenService tokens, String token) {
        return tokens.sessionTokens().decode(token).map(TokenService::userOf)
                .onErrorComplete(JwtException.class).blockOptional();
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
