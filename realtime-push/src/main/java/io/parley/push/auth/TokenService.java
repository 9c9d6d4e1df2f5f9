package io.parley.push.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.MappedJwtClaimSetConverter;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Issues Parley's bearer tokens and builds the decoders that verify them. A session token is a JWT signed with HS256,
 * claims {@code iss = "parley"}, {@code sub} (user id), {@code username}, {@code roles}, {@code sid} (the login it
 * belongs to), {@code ver} (the user's token version), {@code iat} and {@code exp}. A socket ticket has the same
 * claims, a short life, a {@code jti} (it is good for one handshake) and the audience {@link #TICKET_AUDIENCE}; a
 * session token has no audience, so neither passes for the other.
 * <p>
 * Verification is Spring Security's {@link NimbusReactiveJwtDecoder} with this key and nothing but HS256:
 * {@code alg: none}, another HMAC and any public-key algorithm are refused before a signature is looked at. The
 * validators ask for our issuer, a subject, a username and an expiry in the future, without clock skew (the
 * issuer is this service).
 */
final class TokenService {

    static final String ISSUER = "parley";
    static final String USERNAME_CLAIM = "username";
    static final String ROLES_CLAIM = "roles";
    static final String SESSION_CLAIM = "sid";
    static final String VERSION_CLAIM = "ver";
    static final String TICKET_AUDIENCE = "parley-socket";
    static final String SECRET_FILE = "jwt-secret";
    static final int MIN_SECRET_BYTES = 32;

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);

    /**
     * Spring's claim conversion, but {@code iss} stays the text it is. Spring's own turns the issuer into a URL and,
     * when that fails, as it does for {@value #ISSUER}, keeps the text by catching the exception: one exception with
     * its stack trace per verified token, 5% of the event loops' CPU for an HTTP send in a profile (docs/benchmark.md,
     * issue 17's seventeenth stop). {@link #validate} compares the issuer as text.
     */
    private static final MappedJwtClaimSetConverter CLAIMS = MappedJwtClaimSetConverter.withDefaults(
            Map.of(JwtClaimNames.ISS, issuer -> issuer == null ? null : issuer.toString()));

    /** A signed token and the instant it stops being accepted. */
    record IssuedToken(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedToken[expiresAt=" + expiresAt + "]"; // never the token itself
        }
    }

    private final byte[] secret;
    private final MACSigner signer;
    private final Duration ttl;
    private final Duration ticketTtl;
    private final Clock clock;

    /**
     * @param dataDir where a generated key is kept when {@link AuthProperties#jwtSecret()} is not set
     */
    TokenService(AuthProperties properties, Path dataDir, Clock clock) {
        this.secret = properties.jwtSecret() != null && !properties.jwtSecret().isBlank()
                ? decodeConfigured(properties.jwtSecret())
                : loadOrCreate(dataDir.resolve(SECRET_FILE));
        try {
            this.signer = new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException("unusable token signing key", e);
        }
        this.ttl = properties.tokenTtl();
        this.ticketTtl = properties.socketTicketTtl();
        this.clock = clock;
    }

    /** A plain user's token of a new session, at token version 0. */
    IssuedToken issue(String userId, String username) {
        return issue(userId, username, Set.of(Role.USER), 0);
    }

    /** The token of a new session (a new {@code sid}) for a user whose token version is {@code version}. */
    IssuedToken issue(String userId, String username, Set<Role> roles, long version) {
        Instant now = now();
        Instant expiresAt = now.plus(ttl);
        return sign(claims(userId, username, roles, UUID.randomUUID().toString(), version, now, expiresAt).build(),
                expiresAt);
    }

    /** A one-time ticket that opens one socket for {@code user}'s session, within {@code parley.auth.socket-ticket-ttl}. */
    IssuedToken issueTicket(AuthenticatedUser user) {
        Instant now = now();
        Instant expiresAt = now.plus(ticketTtl);
        JWTClaimsSet claims = claims(user.userId(), user.username(), user.roles(), user.sessionId(),
                user.tokenVersion(), now, expiresAt)
                .audience(TICKET_AUDIENCE)
                .jwtID(UUID.randomUUID().toString())
                .build();
        return sign(claims, expiresAt);
    }

    /** Verifies session tokens: never a socket ticket. */
    ReactiveJwtDecoder sessionTokens() {
        return decoder(false);
    }

    /** Verifies socket tickets: never a session token. Whether a ticket was used before is not its business. */
    ReactiveJwtDecoder socketTickets() {
        return decoder(true);
    }

    /** The user of a token this service issued and a decoder of it verified. */
    static AuthenticatedUser userOf(Jwt jwt) {
        Set<Role> roles = EnumSet.of(Role.USER);
        List<String> names = jwt.getClaimAsStringList(ROLES_CLAIM);
        if (names != null) {
            for (Role role : Role.values()) {
                if (names.contains(role.name())) {
                    roles.add(role); // unknown names are ignored: a token never grants more than this server knows
                }
            }
        }
        long version = jwt.getClaim(VERSION_CLAIM) instanceof Number number ? number.longValue() : 0;
        return new AuthenticatedUser(jwt.getSubject(), jwt.getClaimAsString(USERNAME_CLAIM), roles, sessionOf(jwt),
                version, jwt.getExpiresAt());
    }

    /**
     * The session a token belongs to: its {@code sid} (Parley's tokens, and Keycloak's), else its {@code jti}, else a
     * digest of the token itself, so that every token can be ended by logging out.
     */
    static String sessionOf(Jwt jwt) {
        for (String claim : List.of(SESSION_CLAIM, "jti")) {
            String value = jwt.getClaimAsString(claim);
            if (value != null && !value.isBlank() && value.length() <= 100) {
                return value;
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(jwt.getTokenValue().getBytes(StandardCharsets.US_ASCII));
            return "t:" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS); // JWT times are whole seconds
    }

    private static JWTClaimsSet.Builder claims(String userId, String username, Set<Role> roles, String sessionId,
                                               long version, Instant now, Instant expiresAt) {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(userId)
                .claim(USERNAME_CLAIM, username)
                .claim(ROLES_CLAIM, roles.stream().map(Role::name).sorted().toList())
                .claim(SESSION_CLAIM, sessionId)
                .claim(VERSION_CLAIM, version)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt));
    }

    private IssuedToken sign(JWTClaimsSet claims, Instant expiresAt) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a token", e);
        }
        return new IssuedToken(jwt.serialize(), expiresAt);
    }

    private ReactiveJwtDecoder decoder(boolean tickets) {
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder
                .withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        decoder.setClaimSetConverter(CLAIMS);
        decoder.setJwtValidator(jwt -> validate(jwt, tickets));
        return decoder;
    }

    /** Ours, current, naming its user, and of the expected kind. The reason goes to the debug log only. */
    private OAuth2TokenValidatorResult validate(Jwt jwt, boolean ticket) {
        Instant now = clock.instant();
        String problem = null;
        List<String> audience = jwt.getAudience();
        boolean isTicket = audience != null && audience.contains(TICKET_AUDIENCE);
        if (!ISSUER.equals(jwt.getClaimAsString("iss"))) {
            problem = "issuer";
        } else if (jwt.getExpiresAt() == null || !now.isBefore(jwt.getExpiresAt())) {
            problem = "expired";
        } else if (jwt.getNotBefore() != null && now.isBefore(jwt.getNotBefore())) {
            problem = "not yet valid";
        } else if (isBlank(jwt.getSubject()) || isBlank(jwt.getClaimAsString(USERNAME_CLAIM))) {
            problem = "missing subject or username";
        } else if (isTicket != ticket) {
            problem = ticket ? "not a socket ticket" : "a socket ticket used as a session token";
        } else if (ticket && (isBlank(jwt.getId()) || isBlank(jwt.getClaimAsString(SESSION_CLAIM)))) {
            problem = "a ticket without id or session";
        }
        if (problem == null) {
            return OAuth2TokenValidatorResult.success();
        }
        log.debug("token rejected: {}", problem); // the reason only; the token is a credential (the security log has
        // the refusal itself: TokenAuthenticationManager)
        return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, problem, null));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static byte[] decodeConfigured(String base64) {
        byte[] secret = decode(base64.trim());
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalStateException("parley.auth.jwt-secret must be base64 of at least "
                    + MIN_SECRET_BYTES + " bytes");
        }
        return secret;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException notStandard) {
            try {
                return Base64.getUrlDecoder().decode(base64);
            } catch (IllegalArgumentException notUrlSafe) {
                return null;
            }
        }
    }

    /**
     * The key kept in {@code file}, created on first start. Written to a private temporary file and then moved into
     * place, so a reader never sees half a key; when two nodes race on one directory, both end up with the winner's.
     */
    static byte[] loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            byte[] secret = decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            if (secret == null || secret.length < MIN_SECRET_BYTES) {
                throw new IllegalStateException("the token signing key in " + file
                        + " is unreadable; delete the file to generate a new one (issued tokens become invalid)");
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read or create the token signing key " + file, e);
        }
    }

    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        byte[] secret = new byte[MIN_SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        Path temp = posix
                ? Files.createTempFile(dir, ".jwt-secret", ".tmp", PosixFilePermissions.asFileAttribute(ownerOnly))
                : Files.createTempFile(dir, ".jwt-secret", ".tmp");
        try {
            if (!posix) {
                restrictToOwner(temp);
            }
            Files.writeString(temp, Base64.getEncoder().encodeToString(secret), StandardCharsets.US_ASCII);
            try {
                Files.move(temp, file); // no REPLACE_EXISTING: a key another node just wrote wins
                log.info("generated a new token signing key in {}", file);
            } catch (FileAlreadyExistsException raced) {
                log.info("using the token signing key another process just created in {}", file);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void restrictToOwner(Path path) {
        java.io.File f = path.toFile();
        boolean restricted = f.setReadable(false, false) & f.setReadable(true, true)
                & f.setWritable(false, false) & f.setWritable(true, true);
        if (!restricted) {
            log.warn("could not restrict {} to its owner; protect it by other means", path);
        }
    }
}
