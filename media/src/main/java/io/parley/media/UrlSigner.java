package io.parley.media;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * HMAC-SHA256 signatures of the local driver's URLs: over the method, the key, the expiry and the response or upload
 * parameters, so none of them can be changed without breaking the signature. The key is
 * {@code parley.media.url-secret} (base64, at least 32 bytes; every node of a deployment needs the same) or, when unset,
 * generated on first start and kept in {@code ${parley.data-dir}/media-url-secret}, beside the JWT key, readable by
 * its owner only.
 */
public final class UrlSigner {

    static final String SECRET_FILE = "media-url-secret";

    private final byte[] key;

    public UrlSigner(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("parley.media.url-secret must be at least 32 bytes");
        }
        this.key = key.clone();
    }

    /** The configured key when there is one, else the key file in {@code dataDir}, created when missing. */
    public static UrlSigner configuredOrKeptIn(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            String b64 = configured.trim().replace('-', '+').replace('_', '/');
            return new UrlSigner(Base64.getDecoder().decode(b64));
        }
        Path file = dataDir.resolve(SECRET_FILE);
        try {
            if (Files.exists(file)) {
                return new UrlSigner(Base64.getDecoder().decode(Files.readString(file).trim()));
            }
            Files.createDirectories(dataDir);
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Path tmp = Files.createTempFile(dataDir, SECRET_FILE, ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the data dir's own permissions protect it
            }
            Files.writeString(tmp, Base64.getEncoder().encodeToString(fresh));
            try {
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                Files.deleteIfExists(tmp);
            }
            // another node or process may have written it first: everyone uses what is on disk
            return new UrlSigner(Base64.getDecoder().decode(Files.readString(file).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the media URL key in " + dataDir, e);
        }
    }

    /** URL-safe base64 of HMAC-SHA256 over the parts joined by newlines. */
    public String sign(String... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] sig = mac.doFinal(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Whether {@code signature} is {@link #sign} of the parts, compared in constant time. */
    public boolean verify(String signature, String... parts) {
        return signature != null && MessageDigest.isEqual(sign(parts).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }
}
