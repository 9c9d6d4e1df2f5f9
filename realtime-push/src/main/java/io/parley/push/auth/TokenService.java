package io.parley.push.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Issues and verifies the bearer tokens of Parley: JWTs signed with HS256, claims {@code sub} (user id),
 * {@code username}, {@code iat}, {@code exp} and {@code iss = "parley"}.
 * <p>
 * Verification accepts nothing but HS256 with our key: the header's algorithm is checked before the signature, so
 * {@code alg: none} and algorithm-confusion tokens never reach a verifier.
 */
final class TokenService {

    static final String ISSUER = "parley";
    static final String USERNAME_CLAIM = "username";
    static final String ROLES_CLAIM = "roles";

    /** Unknown role names are ignored: a token never grants more than this server knows. */
    private static Set<Role> rolesOf(JWTClaimsSet claims) throws ParseException {
        List<String> names = claims.getStringListClaim(ROLES_CLAIM);
        Set<Role> roles = EnumSet.of(Role.USER);
        if (names != null) {
            for (Role role : Role.values()) {
                if (names.contains(role.name())) {
                    roles.add(role);
                }
            }
        }
        return roles;
    }
    static final String SECRET_FILE = "jwt-secret";
    static final int MIN_SECRET_BYTES = 32;

    /** Tokens are a few hundred characters; anything far longer is not ours and not worth parsing. */
    private static final int MAX_TOKEN_LENGTH = 8192;

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);

    /** A signed token and the instant it stops being accepted. */
    record IssuedToken(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedToken[expiresAt=" + expiresAt + "]"; // never the token itself
        }
    }

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Duration ttl;
    private final Clock clock;

    /**
     * @param dataDir where a generated key is kept when {@link AuthProperties#jwtSecret()} is not set
     */
    TokenService(AuthProperties properties, Path dataDir, Clock clock) {
        byte[] secret = properties.jwtSecret() != null && !properties.jwtSecret().isBlank()
                ? decodeConfigured(properties.jwtSecret())
                : loadOrCreate(dataDir.resolve(SECRET_FILE));
        try {
            this.signer = new MACSigner(secret);
            this.verifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException("unusable token signing key", e);
        }
        this.ttl = properties.tokenTtl();
        this.clock = clock;
    }

    IssuedToken issue(String userId, String username) {
        return issue(userId, username, Set.of(Role.USER));
    }

    IssuedToken issue(String userId, String username, Set<Role> roles) {
        // JWT times are whole seconds; answer the client the exp it will find in the token.
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expiresAt = now.plus(ttl);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(userId)
                .claim(USERNAME_CLAIM, username)
                .claim(ROLES_CLAIM, roles.stream().map(Role::name).sorted().toList())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a token", e);
        }
        return new IssuedToken(jwt.serialize(), expiresAt);
    }

    /** The user a token stands for, or empty when the token is malformed, forged, expired or not ours. */
    Optional<AuthenticatedUser> verify(String token) {
        if (token == null || token.isBlank() || token.length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token); // a plain (alg: none) JWT is not a JWS: ParseException
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
                return reject("algorithm " + jwt.getHeader().getAlgorithm());
            }
            if (!jwt.verify(verifier)) {
                return reject("bad signature");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (!ISSUER.equals(claims.getIssuer())) {
                return reject("issuer");
            }
            if (claims.getExpirationTime() == null || !now.isBefore(claims.getExpirationTime().toInstant())) {
                return reject("expired");
            }
            if (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant())) {
                return reject("not yet valid");
            }
            String userId = claims.getSubject();
            String username = claims.getStringClaim(USERNAME_CLAIM);
            if (userId == null || userId.isBlank() || username == null || username.isBlank()) {
                return reject("missing subject or username");
            }
            return Optional.of(new AuthenticatedUser(userId, username, rolesOf(claims)));
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return reject("unreadable");
        }
    }

    private static Optional<AuthenticatedUser> reject(String reason) {
        log.debug("token rejected: {}", reason); // the reason only; the token is a credential
        return Optional.empty();
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
