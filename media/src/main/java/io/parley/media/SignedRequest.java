package io.parley.media;

import java.time.Instant;
import java.util.Map;

/**
 * A request the client makes itself, signed so that it needs no other credentials: the method, the URL (absolute for
 * an object store; relative to Parley's origin for the local driver), the headers the client must send as they are
 * (part of the signature where the store checks them) and when the signature stops working.
 */
public record SignedRequest(String method, String url, Map<String, String> headers, Instant expiresAt) {
}
