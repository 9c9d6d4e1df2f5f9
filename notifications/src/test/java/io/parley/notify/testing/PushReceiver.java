package io.parley.notify.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A push service and a webhook receiver on 127.0.0.1, started by a test: the real protocol's other end, no mock.
 * A Web Push endpoint decrypts each request's {@code aes128gcm} body (RFC 8291) with its subscription's private key and
 * auth secret and checks the VAPID token (RFC 8292: ES256 signature by the {@code k=} key, audience, expiry,
 * subject); a webhook endpoint checks the HMAC-SHA256 signature with the secret it was registered with. What fails a
 * check is recorded in {@link #problems()} (and answered 400/401/403 as a push service would). Each endpoint answers
 * with scripted statuses (then 201/200), optionally after a delay (a slow receiver).
 */
public final class PushReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One request an endpoint got: when, the decrypted or plain JSON (null if unreadable), the status answered. */
    public record Received(Instant at, JsonNode payload, Map<String, List<String>> headers, int status) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** A receiving address: scripted answers, a delay, and what it got. */
    public abstract static class Endpoint {
        final String id = Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
        final ArrayDeque<Integer> script = new ArrayDeque<>();
        final List<Received> received = new CopyOnWriteArrayList<>();
        volatile Duration delay = Duration.ZERO;
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        String url;

        public String url() {
            return url;
        }

        /** The next requests are answered with these statuses, in order; then success. */
        public synchronized Endpoint answer(int... statuses) {
            for (int status : statuses) {
                script.add(status);
            }
            return this;
        }

        /** Every answer waits this long (a slow receiver). */
        public Endpoint slow(Duration delay) {
            this.delay = delay;
            return this;
        }

        public List<Received> received() {
            return List.copyOf(received);
        }

        /** Requests answered with 2xx. */
        public List<Received> accepted() {
            return received.stream().filter(r -> r.status() / 100 == 2).toList();
        }

        public int maxConcurrent() {
            return maxConcurrent.get();
        }

        synchronized int nextStatus(int success) {
            Integer scripted = script.poll();
            return scripted == null ? success : scripted;
        }
    }

    /** A browser's push subscription: its key pair and auth secret, as {@code PushSubscription.toJSON()} gives them. */
    public final class WebPushEndpoint extends Endpoint {
        private final KeyPair keys;
        private final byte[] authSecret = new byte[16];

        WebPushEndpoint() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                keys = generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            RANDOM.nextBytes(authSecret);
        }

        public String p256dh() {
            return b64(uncompressed((ECPublicKey) keys.getPublic()));
        }

        public String auth() {
            return b64(authSecret);
        }

        byte[] decrypt(byte[] body) throws GeneralSecurityException {
            ByteBuffer in = ByteBuffer.wrap(body);
            byte[] salt = new byte[16];
            in.get(salt);
            int recordSize = in.getInt();
            int idLength = in.get() & 0xff;
            byte[] serverPublic = new byte[idLength];
            in.get(serverPublic);
            byte[] ciphertext = new byte[in.remaining()];
            in.get(ciphertext);
            if (ciphertext.length > recordSize) {
                throw new GeneralSecurityException("more than one record");
            }
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(keys.getPrivate());
            agreement.doPhase(publicKey(serverPublic), true);
            byte[] ecdhSecret = agreement.generateSecret();
            byte[] prkKey = hmac(authSecret, ecdhSecret);
            byte[] keyInfo = concat("WebPush: info".getBytes(StandardCharsets.US_ASCII), new byte[]{0},
                    uncompressed((ECPublicKey) keys.getPublic()), serverPublic, new byte[]{1});
            byte[] ikm = hmac(prkKey, keyInfo);
            byte[] prk = hmac(salt, ikm);
            byte[] cek = Arrays.copyOf(hmac(prk, concat("Content-Encoding: aes128gcm".getBytes(StandardCharsets.US_ASCII),
                    new byte[]{0, 1})), 16);
            byte[] nonce = Arrays.copyOf(hmac(prk, concat("Content-Encoding: nonce".getBytes(StandardCharsets.US_ASCII),
                    new byte[]{0, 1})), 12);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
            byte[] padded = cipher.doFinal(ciphertext);
            int end = padded.length - 1;
            while (end >= 0 && padded[end] == 0) {
                end--;
            }
            if (end < 0 || padded[end] != 2) {
                throw new GeneralSecurityException("no last-record delimiter");
            }
            return Arrays.copyOf(padded, end);
        }
    }

    /** A webhook URL and the secret it checks signatures with (set after registration). */
    public final class WebhookEndpoint extends Endpoint {
        volatile String secret;

        public void secret(String secret) {
            this.secret = secret;
        }
    }

    private final HttpServer server;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private volatile String expectedVapidKey;

    public PushReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    /** Requests are checked to be signed by this VAPID key (base64url application server key). */
    public void expectVapidKey(String publicKey) {
        this.expectedVapidKey = publicKey;
    }

    public WebPushEndpoint webPush() {
        WebPushEndpoint endpoint = new WebPushEndpoint();
        endpoint.url = base() + "/push/" + endpoint.id;
        endpoints.put(endpoint.id, endpoint);
        return endpoint;
    }

    public WebhookEndpoint webhook() {
        WebhookEndpoint endpoint = new WebhookEndpoint();
        endpoint.url = base() + "/hook/" + endpoint.id;
        endpoints.put(endpoint.id, endpoint);
        return endpoint;
    }

    /** Every failed check: undecryptable payloads, bad VAPID tokens, wrong signatures. Empty when all was right. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            Endpoint endpoint = parts.length == 3 ? endpoints.get(parts[2]) : null;
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (endpoint == null || !"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            int now = endpoint.concurrent.incrementAndGet();
            endpoint.maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                if (!endpoint.delay.isZero()) {
                    Thread.sleep(endpoint.delay.toMillis());
                }
                JsonNode payload = null;
                int status;
                if (endpoint instanceof WebPushEndpoint push) {
                    payload = checkWebPush(push, exchange, body);
                    status = payload == null ? 400 : push.nextStatus(201);
                } else {
                    payload = checkWebhook((WebhookEndpoint) endpoint, exchange, body);
                    status = payload == null ? 401 : endpoint.nextStatus(200);
                }
                endpoint.received.add(new Received(Instant.now(), payload,
                        Map.copyOf(exchange.getRequestHeaders()), status));
                exchange.sendResponseHeaders(status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                endpoint.concurrent.decrementAndGet();
            }
        }
    }

    private JsonNode checkWebPush(WebPushEndpoint endpoint, HttpExchange exchange, byte[] body) {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (!"aes128gcm".equalsIgnoreCase(encoding)) {
            problems.add("Content-Encoding is " + encoding);
            return null;
        }
        if (exchange.getRequestHeaders().getFirst("TTL") == null) {
            problems.add("no TTL header");
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (!checkVapid(authorization, endpoint.url)) {
            return null;
        }
        try {
            return JSON.readTree(endpoint.decrypt(body));
        } catch (GeneralSecurityException | IOException e) {
            problems.add("payload does not decrypt: " + e);
            return null;
        }
    }

    private boolean checkVapid(String authorization, String endpointUrl) {
        if (authorization == null || !authorization.startsWith("vapid ")) {
            problems.add("Authorization is not vapid: " + authorization);
            return false;
        }
        String token = null;
        String key = null;
        for (String part : authorization.substring(6).split(",")) {
            String trimmed = part.trim();
            if (trimmed.startsWith("t=")) {
                token = trimmed.substring(2);
            } else if (trimmed.startsWith("k=")) {
                key = trimmed.substring(2);
            }
        }
        if (token == null || key == null) {
            problems.add("vapid header lacks t= or k=");
            return false;
        }
        if (expectedVapidKey != null && !expectedVapidKey.equals(key)) {
            problems.add("signed by another VAPID key: " + key);
            return false;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!jwt.verify(new ECDSAVerifier(publicKey(Base64.getUrlDecoder().decode(key))))) {
                problems.add("VAPID signature does not verify");
                return false;
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            String audience = base();
            if (!claims.getAudience().contains(audience)) {
                problems.add("VAPID audience " + claims.getAudience() + " is not " + audience);
                return false;
            }
            Date expiry = claims.getExpirationTime();
            if (expiry == null || expiry.toInstant().isBefore(Instant.now())
                    || expiry.toInstant().isAfter(Instant.now().plus(Duration.ofHours(24)).plusSeconds(60))) {
                problems.add("VAPID expiry " + expiry + " is not within 24 hours");
                return false;
            }
            if (claims.getSubject() == null || !(claims.getSubject().startsWith("mailto:")
                    || claims.getSubject().startsWith("https:"))) {
                problems.add("VAPID subject " + claims.getSubject());
                return false;
            }
            return true;
        } catch (Exception e) {
            problems.add("VAPID token unreadable: " + e + " in " + authorization);
            return false;
        }
    }

    private JsonNode checkWebhook(WebhookEndpoint endpoint, HttpExchange exchange, byte[] body) {
        String timestamp = exchange.getRequestHeaders().getFirst("X-Parley-Timestamp");
        String signature = exchange.getRequestHeaders().getFirst("X-Parley-Signature");
        if (endpoint.secret == null || timestamp == null || signature == null) {
            problems.add("webhook without secret, timestamp or signature");
            return null;
        }
        try {
            byte[] expected = hmac(endpoint.secret.getBytes(StandardCharsets.UTF_8),
                    concat(timestamp.getBytes(StandardCharsets.UTF_8), new byte[]{'.'}, body));
            if (!("sha256=" + HexFormat.of().formatHex(expected)).equals(signature)) {
                problems.add("webhook signature does not match");
                return null;
            }
            if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
                problems.add("webhook timestamp is stale");
                return null;
            }
            return JSON.readTree(body);
        } catch (GeneralSecurityException | IOException | NumberFormatException e) {
            problems.add("webhook unreadable: " + e);
            return null;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        copy(key.getW().getAffineX(), out, 1);
        copy(key.getW().getAffineY(), out, 33);
        return out;
    }

    private static void copy(BigInteger value, byte[] out, int offset) {
        byte[] bytes = value.toByteArray();
        int length = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - length, out, offset + 32 - length, length);
    }

    static ECPublicKey publicKey(byte[] uncompressed) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        java.security.spec.ECParameterSpec params = ((ECPublicKey) generator.generateKeyPair().getPublic()).getParams();
        ECPoint point = new ECPoint(new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33)),
                new BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65)));
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, params));
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

}
