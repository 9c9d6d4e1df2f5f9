package io.parley.eventstore.erasure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * Keeps a copy of a user's text (a read model's message text, a notification's preview) under the same per-user key
 * that encrypts it in the event store, so that destroying the key ({@link ErasureKeys#erase}) destroys every copy, in
 * whatever file and old page it still lies: the stores hold ciphertext only. The projection seals on write, the query
 * side opens on read. Text of a user whose keys are all erased is not kept at all ({@link #seal} gives null), and is
 * never sealed under a new key the erasure did not destroy.
 * <p>
 * The format is the event store's ({@code enc:v1:<keyId>:<base64>}, AES-256-GCM); the context (where the copy lives,
 * e.g. {@code timeline:<conversationId>/<seq>}) is the associated data, so a sealed text moved to another row does not
 * open. Text stored before sealing existed (not in that format) opens as itself.
 */
public class TextSeal {

    private static final Logger log = LoggerFactory.getLogger(TextSeal.class);

    private final ErasureKeys keys;
    private final TextCipher cipher;

    public TextSeal(ErasureKeys keys) {
        this(keys, new TextCipher(keys));
    }

    public TextSeal(ErasureKeys keys, TextCipher cipher) {
        this.keys = keys;
        this.cipher = cipher;
    }

    /** The text sealed with its owner's key; null when the text is null or its owner's keys are erased. */
    public String seal(String ownerId, String context, String text) {
        if (text == null) {
            return null;
        }
        Optional<Map.Entry<String, byte[]>> key = keys.sealingKeyOf(ownerId);
        return key.map(k -> cipher.encryptWith(k, context, text)).orElse(null);
    }

    /** The text; null when it was null, its key is erased, or it does not open (altered, moved: logged). */
    public String open(String context, String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return cipher.decrypt(context, stored).orElse(null);
        } catch (RuntimeException e) {
            log.warn("sealed text at {} does not open: {}", context, e.getMessage());
            return null;
        }
    }

    /** Whether this stored value is sealed (not plain text written before sealing existed). */
    public static boolean isSealed(String stored) {
        return TextCipher.isEncrypted(stored);
    }
}
