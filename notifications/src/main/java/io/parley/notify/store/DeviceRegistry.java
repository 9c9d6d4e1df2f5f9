package io.parley.notify.store;

import io.parley.api.error.InvalidCommandException;
import io.parley.notify.PushTarget;
import io.parley.notify.TargetAddresses;
import io.parley.notify.TargetKind;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The device registry: the push targets users register (table {@code ntf_targets}), outside the event store. A target
 * is removed by its user, when the platform answers that it is gone (Web Push 404/410, FCM {@code UNREGISTERED}, APNs
 * {@code BadDeviceToken}/{@code Unregistered}), and with everything else of a user on erasure ({@link #eraseUser}).
 * Input is checked here, so every entrance refuses the same things with the same reasons
 * ({@link InvalidCommandException}, answered 400): a URL must be {@code https://} and reach a public address
 * ({@link TargetAddresses}).
 */
public class DeviceRegistry {

    static final int MAX_ADDRESS = 2048;
    static final int MAX_LABEL = 200;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final RowMapper<PushTarget> TARGET = (rs, n) -> new PushTarget(rs.getString("target_id"),
            rs.getString("user_id"), TargetKind.valueOf(rs.getString("kind")), rs.getString("address"),
            rs.getString("p256dh"), rs.getString("auth"), rs.getString("secret"), rs.getString("label"),
            Sql.instant(rs, "created_at"));

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Set<TargetKind> supported;
    private final boolean allowPlainHttp;
    private final TargetAddresses addresses;
    private final int maxTargetsPerUser;

    /**
     * @param supported the kinds this deployment can send to (a kind without credentials is refused at registration)
     */
    public DeviceRegistry(JdbcTemplate jdbc, TransactionTemplate tx, Set<TargetKind> supported, boolean allowPlainHttp,
                          TargetAddresses addresses, int maxTargetsPerUser) {
        this.addresses = addresses;
        this.jdbc = jdbc;
        this.tx = tx;
        this.supported = Set.copyOf(supported);
        this.allowPlainHttp = allowPlainHttp;
        this.maxTargetsPerUser = maxTargetsPerUser;
    }

    public Set<TargetKind> supportedKinds() {
        return supported;
    }

    /**
     * Registers a target, or answers the one already registered for the same address (a browser re-subscribing gets
     * its keys updated). Webhooks get a fresh signing secret, returned in the answer (and never listed again).
     *
     * @throws InvalidCommandException for a kind this server cannot send to, a malformed address or key, or too many
     *                                 targets
     */
    public PushTarget register(String userId, TargetKind kind, String address, String p256dh, String auth,
                               String label) {
        if (kind == null) {
            throw new InvalidCommandException("kind must be one of webpush, fcm, apns, webhook");
        }
        if (!supported.contains(kind)) {
            throw new InvalidCommandException(kind.wireName() + " is not configured on this server");
        }
        check(kind, address, p256dh, auth);
        if (label != null && label.length() > MAX_LABEL) {
            throw new InvalidCommandException("label must be at most " + MAX_LABEL + " characters");
        }
        String hash = sha256(address);
        return tx.execute(status -> {
            Optional<PushTarget> existing = jdbc.query(
                    "SELECT * FROM ntf_targets WHERE user_id = ? AND kind = ? AND address_hash = ?", TARGET,
                    userId, kind.name(), hash).stream().findFirst();
            if (existing.isPresent()) {
                jdbc.update("UPDATE ntf_targets SET p256dh = ?, auth = ?, label = ? WHERE target_id = ?",
                        p256dh, auth, label, existing.get().targetId());
                return target(existing.get().targetId()).orElseThrow();
            }
            Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM ntf_targets WHERE user_id = ?", Integer.class,
                    userId);
            if (count != null && count >= maxTargetsPerUser) {
                throw new InvalidCommandException("at most " + maxTargetsPerUser + " push targets per user");
            }
            String secret = kind == TargetKind.WEBHOOK ? randomSecret() : null;
            PushTarget created = new PushTarget(UUID.randomUUID().toString(), userId, kind, address,
                    kind == TargetKind.WEB_PUSH ? p256dh : null, kind == TargetKind.WEB_PUSH ? auth : null, secret,
                    label, Instant.now());
            jdbc.update("INSERT INTO ntf_targets (target_id, user_id, kind, address, address_hash, p256dh, auth, secret,"
                            + " label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    created.targetId(), userId, kind.name(), address, hash, created.p256dh(), created.auth(), secret,
                    label, Sql.time(created.createdAt()));
            return created;
        });
    }

    public List<PushTarget> targetsOf(String userId) {
        return jdbc.query("SELECT * FROM ntf_targets WHERE user_id = ? ORDER BY created_at, target_id", TARGET, userId);
    }

    public Optional<PushTarget> target(String targetId) {
        return jdbc.query("SELECT * FROM ntf_targets WHERE target_id = ?", TARGET, targetId).stream().findFirst();
    }

    /** A user removes one of their targets; false if they have none with that id. */
    public boolean remove(String userId, String targetId) {
        Boolean removed = tx.execute(status -> {
            int rows = jdbc.update("DELETE FROM ntf_targets WHERE target_id = ? AND user_id = ?", targetId, userId);
            jdbc.update("DELETE FROM ntf_deliveries WHERE target_id = ? AND user_id = ?", targetId, userId);
            return rows > 0;
        });
        return Boolean.TRUE.equals(removed);
    }

    /** The platform said the target no longer exists: it goes, with whatever was still to be sent to it. */
    public void removeGone(String targetId) {
        tx.executeWithoutResult(status -> {
            jdbc.update("DELETE FROM ntf_targets WHERE target_id = ?", targetId);
            jdbc.update("DELETE FROM ntf_deliveries WHERE target_id = ?", targetId);
        });
    }

    /**
     * Erasure: the user's targets, settings, pending notifications and deliveries (dead letters too) go.
     *
     * @return the number of push targets removed
     */
    public int eraseUser(String userId) {
        Integer removed = tx.execute(status -> {
            int targets = jdbc.update("DELETE FROM ntf_targets WHERE user_id = ?", userId);
            jdbc.update("DELETE FROM ntf_deliveries WHERE user_id = ?", userId);
            jdbc.update("DELETE FROM ntf_pending WHERE user_id = ?", userId);
            jdbc.update("DELETE FROM ntf_account_settings WHERE user_id = ?", userId);
            jdbc.update("DELETE FROM ntf_conversation_settings WHERE user_id = ?", userId);
            return targets;
        });
        return removed == null ? 0 : removed;
    }

    private void check(TargetKind kind, String address, String p256dh, String auth) {
        if (address == null || address.isBlank()) {
            throw new InvalidCommandException(switch (kind) {
                case WEB_PUSH -> "endpoint is required";
                case WEBHOOK -> "url is required";
                case FCM, APNS -> "token is required";
            });
        }
        if (address.length() > MAX_ADDRESS) {
            throw new InvalidCommandException("the address must be at most " + MAX_ADDRESS + " characters");
        }
        switch (kind) {
            case WEB_PUSH -> {
                checkUrl(address, "endpoint");
                byte[] key = base64Url(p256dh, "keys.p256dh");
                if (key.length != 65 || key[0] != 0x04) {
                    throw new InvalidCommandException("keys.p256dh must be an uncompressed P-256 point (65 bytes)");
                }
                if (base64Url(auth, "keys.auth").length != 16) {
                    throw new InvalidCommandException("keys.auth must be 16 bytes");
                }
            }
            case WEBHOOK -> checkUrl(address, "url");
            case APNS -> {
                if (!address.matches("[0-9a-fA-F]{32,200}")) {
                    throw new InvalidCommandException("an APNs device token is hexadecimal");
                }
            }
            case FCM -> {
                if (!address.matches("[A-Za-z0-9_:\\-]{16,4096}")) {
                    throw new InvalidCommandException("an FCM registration token has letters, digits, '-', '_' and ':'");
                }
            }
        }
    }

    private void checkUrl(String address, String field) {
        URI uri;
        try {
            uri = new URI(address);
        } catch (URISyntaxException e) {
            throw new InvalidCommandException(field + " must be a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (uri.getHost() == null || !(scheme.equals("https") || (allowPlainHttp && scheme.equals("http")))) {
            throw new InvalidCommandException(field + " must be an https:// URL");
        }
        if (uri.getUserInfo() != null) {
            throw new InvalidCommandException(field + " must not carry credentials");
        }
        try {
            addresses.refusal(uri, field).ifPresent(reason -> {
                throw new InvalidCommandException(reason);
            });
        } catch (TargetAddresses.Unresolved e) {
            // not refused: it leads nowhere now, and each send checks it again before connecting
        }
    }

    private static byte[] base64Url(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidCommandException(field + " is required");
        }
        try {
            return Base64.getUrlDecoder().decode(value.trim().replace('+', '-').replace('/', '_').replace("=", ""));
        } catch (IllegalArgumentException e) {
            throw new InvalidCommandException(field + " must be base64url");
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
