package io.parley.eventstore.erasure;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

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

    /**
     * Keys whose subkeys are kept at most; past it the table starts again (a rough bound, not an LRU). Each holds an
     * idle cipher (about 1 KB: two AES-256 round-key schedules, copies of the key and nonce) beside its subkeys, so at
     * most ~25-35 MB.
     */
    private static final int MAX_DERIVED = 20_000;

    /**
     * The subkeys of one key, derived once: two HMACs and a key schedule per message were a profile's hot spot. It
     * keeps a cipher last used with its AES subkey: AES expands a key into its round keys whenever a cipher is given
     * another key than its last (JDK's {@code AESCrypt.init}), and with one cipher per thread every message of another
     * sender did (2.0% of the server's CPU at 5,000 msg/s, docs/benchmark.md, "twenty-fifth stop").
     */
    private record Derived(byte[] key, SecretKeySpec aes, SecretKeySpec nonce, AtomicReference<Cipher> idle) {

        /** The idle cipher, or a new one when another thread has it (or none was given back yet). */
        Cipher take() {
            Cipher cipher = idle.getAndSet(null);
            return cipher != null ? cipher : instance(() -> Cipher.getInstance("AES/GCM/NoPadding"));
        }

        /** Keeps a cipher that finished its operation as this key's idle one. */
        void giveBack(Cipher cipher) {
            idle.set(cipher);
        }
    }

    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> instance(() -> Mac.getInstance(
            "HmacSHA256")));

    private final ErasureKeys keys;
    private final Map<String, Derived> derived = new ConcurrentHashMap<>();

    public TextCipher(ErasureKeys keys) {
        this.keys = keys;
        keys.onErase(derived::clear); // no subkey of an erased key stays in memory
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
            Derived subkeys = derive(key.getKey(), key.getValue());
            Mac mac = MACS.get();
            mac.init(subkeys.nonce());
            byte[] nonce = Arrays.copyOf(mac.doFinal((context + '\u0000' + plain).getBytes(StandardCharsets.UTF_8)), 12);
            Cipher cipher = subkeys.take();
            try {
                cipher.init(Cipher.ENCRYPT_MODE, subkeys.aes(), new GCMParameterSpec(128, nonce));
            } catch (InvalidAlgorithmParameterException sameNonceAsThisCiphersLast) {
                // GCM refuses a key and nonce twice in a row on one instance: the same text of the same message
                // encrypted again (deterministic by design, see above) gets an instance of its own
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, subkeys.aes(), new GCMParameterSpec(128, nonce));
            }
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            subkeys.giveBack(cipher);
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
        String keyId = rest.substring(0, colon);
        Optional<byte[]> key = keys.key(keyId);
        if (key.isEmpty()) {
            derived.remove(keyId);
            return Optional.empty();
        }
        byte[] in = Base64.getDecoder().decode(rest.substring(colon + 1));
        try {
            Derived subkeys = derive(keyId, key.get());
            Cipher cipher = subkeys.take();
            cipher.init(Cipher.DECRYPT_MODE, subkeys.aes(), new GCMParameterSpec(128, in, 0, 12));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            String plain = new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
            subkeys.giveBack(cipher); // not after a failure: the cipher's state is then unknown
            return Optional.of(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encrypted text does not decrypt (altered, or moved between messages)", e);
        }
    }

    /** The subkeys of this key, derived again when the key's bytes were reloaded (the same array: the same key). */
    private Derived derive(String keyId, byte[] key) throws GeneralSecurityException {
        Derived known = derived.get(keyId);
        if (known != null && known.key() == key) {
            return known;
        }
        Derived fresh = new Derived(key, new SecretKeySpec(subkey(key, "aes"), "AES"),
                new SecretKeySpec(subkey(key, "nonce"), "HmacSHA256"), new AtomicReference<>());
        if (derived.size() >= MAX_DERIVED) {
            derived.clear();
        }
        derived.put(keyId, fresh);
        return fresh;
    }

    private static byte[] subkey(byte[] key, String purpose) throws GeneralSecurityException {
        Mac mac = MACS.get();
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(("parley-" + purpose).getBytes(StandardCharsets.UTF_8));
    }

    private interface Factory<T> {
        T create() throws GeneralSecurityException;
    }

    private static <T> T instance(Factory<T> factory) {
        try {
            return factory.create();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES-GCM or HMAC-SHA256", e);
        }
    }
}
