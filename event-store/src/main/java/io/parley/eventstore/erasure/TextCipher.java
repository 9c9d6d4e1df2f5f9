package io.parley.eventstore.erasure;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Encrypts message text with its sender's key: AES-256-GCM, written as {@code enc:v1:<keyId>:<base64(nonce|ct|tag)>}.
 * The nonce is derived (HMAC-SHA256 under a subkey) from the context (conversation and message id) and the plain
 * text, as in SIV: encryption is deterministic, which the hash chain needs (it hashes the serialized payload before
 * the engine serializes it again), and a nonce repeats only for the same message and the same text, where the
 * ciphertext may repeat too. The context is also the GCM associated data, so a ciphertext moved to another message
 * does not decrypt.
 */
public class TextCipher {

    public static final String PREFIX = "enc:v1:";

    private final ErasureKeys keys;

    public TextCipher(ErasureKeys keys) {
        this.keys = keys;
    }

    public static boolean isEncrypted(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    public String encrypt(String ownerId, String context, String plain) {
        if (plain == null || isEncrypted(plain)) {
            return plain;
        }
        return encryptWith(keys.activeKeyOf(ownerId), context, plain);
    }

    /** Encrypts with this key (id and bytes), whatever the text looks like. */
    String encryptWith(Map.Entry<String, byte[]> key, String context, String plain) {
        try {
            byte[] nonce = Arrays.copyOf(hmac(subkey(key.getValue(), "nonce"),
                    (context + '\u0000' + plain).getBytes(StandardCharsets.UTF_8)), 12);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(subkey(key.getValue(), "aes"), "AES"),
                    new GCMParameterSpec(128, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return PREFIX + key.getKey() + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not encrypt", e);
        }
    }

    /** The plain text; empty when the key was erased. Text that was never encrypted is returned as it is. */
    public Optional<String> decrypt(String context, String stored) {
        if (!isEncrypted(stored)) {
            return Optional.ofNullable(stored);
        }
        String rest = stored.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("malformed encrypted text");
        }
        Optional<byte[]> key = keys.key(rest.substring(0, colon));
        if (key.isEmpty()) {
            return Optional.empty();
        }
        byte[] in = Base64.getDecoder().decode(rest.substring(colon + 1));
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(subkey(key.get(), "aes"), "AES"),
                    new GCMParameterSpec(128, in, 0, 12));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encrypted text does not decrypt (altered, or moved between messages)", e);
        }
    }

    private static byte[] subkey(byte[] key, String purpose) throws GeneralSecurityException {
        return hmac(key, ("parley-" + purpose).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
