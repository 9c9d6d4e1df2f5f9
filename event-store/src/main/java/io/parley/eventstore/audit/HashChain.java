package io.parley.eventstore.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The hash that chains an event to the previous event of its aggregate: SHA-256 over a canonical form of what is
 * stored — aggregate id, sequence number, payload type and revision, timestamp (epoch millis, the precision the
 * event table keeps), the serialized payload bytes exactly as stored (ciphertext for encrypted fields, so erasing a
 * key does not break the chain), the metadata without the hash fields as JSON with sorted keys, and the previous
 * hash. Each part is length-prefixed so no two different inputs share a byte sequence.
 */
public final class HashChain {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HashChain() {
    }

    public static String hash(String previousHash, String aggregateId, long sequenceNumber, String payloadType,
                              String payloadRevision, long timestampMillis, byte[] payload, JsonNode metadata) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        part(digest, "parley-chain-v1".getBytes(StandardCharsets.UTF_8));
        part(digest, utf8(previousHash));
        part(digest, utf8(aggregateId));
        part(digest, utf8(Long.toString(sequenceNumber)));
        part(digest, utf8(payloadType));
        part(digest, utf8(payloadRevision));
        part(digest, utf8(Long.toString(timestampMillis)));
        part(digest, payload);
        part(digest, canonicalMetadata(metadata));
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The metadata as hashed: hash fields removed, object keys sorted at every level, compact JSON. */
    public static byte[] canonicalMetadata(JsonNode metadata) {
        JsonNode copy = metadata == null || metadata.isNull() ? JSON.createObjectNode() : metadata.deepCopy();
        if (copy instanceof ObjectNode object) {
            object.remove(AuditMetadata.HASH);
            object.remove(AuditMetadata.PREV_HASH);
        }
        try {
            return JSON.writeValueAsBytes(sorted(copy));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Metadata given as a map (at append time), in the same tree form the stored JSON parses to. */
    public static JsonNode tree(Map<String, ?> metadata) {
        return JSON.valueToTree(metadata);
    }

    public static JsonNode tree(byte[] storedMetadata) {
        if (storedMetadata == null || storedMetadata.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(storedMetadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            for (String name : names) {
                out.set(name, sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            var out = JSON.createArrayNode();
            node.forEach(element -> out.add(sorted(element)));
            return out;
        }
        return node;
    }

    private static byte[] utf8(String value) {
        return value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    }

    private static void part(MessageDigest digest, byte[] bytes) {
        int length = bytes == null ? -1 : bytes.length;
        digest.update(new byte[]{(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        if (bytes != null) {
            digest.update(bytes);
        }
    }
}
