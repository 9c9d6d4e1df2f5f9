package io.parley.push.notifications;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.notify.PushTarget;
import io.parley.notify.TargetKind;
import io.parley.notify.sender.VapidKeyring;
import io.parley.notify.store.DeviceRegistry;
import io.parley.push.Backend;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The device registry over HTTP ({@code /api/devices}): a user registers, lists and removes their push targets. What
 * is valid is {@link DeviceRegistry}'s (400 with the reason otherwise); a user sees and removes only their own.
 */
@RestController
@RequestMapping("/api/devices")
class DeviceController {

    /** A Web Push subscription's keys, as {@code PushSubscription.toJSON()} has them. */
    record Keys(String p256dh, String auth) {
    }

    /**
     * One of: {@code {"kind":"webpush","endpoint","keys":{"p256dh","auth"}}}, {@code {"kind":"webhook","url"}},
     * {@code {"kind":"fcm"|"apns","token"}}; {@code label} optional.
     */
    record RegisterRequest(String kind, String endpoint, Keys keys, String url, String token, String label) {
        RegisterRequest {
            if (kind == null || TargetKind.fromWire(kind).isEmpty()) {
                throw new InvalidCommandException("kind must be one of webpush, fcm, apns, webhook");
            }
        }

        TargetKind targetKind() {
            return TargetKind.fromWire(kind).orElseThrow();
        }

        String address() {
            return switch (targetKind()) {
                case WEB_PUSH -> endpoint;
                case WEBHOOK -> url;
                case FCM, APNS -> token;
            };
        }
    }

    /** A push target as its owner sees it; {@code secret} only in the answer to registering a webhook. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeviceView(String deviceId, String kind, String endpoint, String url, String token, String label,
                      Instant createdAt, String secret) {

        static DeviceView of(PushTarget target, boolean withSecret) {
            String address = target.address();
            return new DeviceView(target.targetId(), target.kind().wireName(),
                    target.kind() == TargetKind.WEB_PUSH ? address : null,
                    target.kind() == TargetKind.WEBHOOK ? address : null,
                    target.kind() == TargetKind.FCM || target.kind() == TargetKind.APNS ? address : null,
                    target.label(), target.createdAt(), withSecret ? target.secret() : null);
        }
    }

    private final DeviceRegistry registry;
    private final VapidKeyring vapid;
    private final Backend backend;

    DeviceController(DeviceRegistry registry, VapidKeyring vapid, Backend backend) {
        this.registry = registry;
        this.vapid = vapid;
        this.backend = backend;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Mono<DeviceView> register(Principal principal, @RequestBody RegisterRequest request) {
        String p256dh = request.keys() == null ? null : request.keys().p256dh();
        String auth = request.keys() == null ? null : request.keys().auth();
        return Mono.fromCallable(() -> DeviceView.of(registry.register(principal.getName(), request.targetKind(),
                        request.address(), p256dh, auth, request.label()), true))
                .subscribeOn(backend.workers());
    }

    @GetMapping
    Mono<List<DeviceView>> list(Principal principal) {
        return Mono.fromCallable(() -> registry.targetsOf(principal.getName()).stream()
                        .map(target -> DeviceView.of(target, false)).toList())
                .subscribeOn(backend.workers());
    }

    @DeleteMapping("/{deviceId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> remove(Principal principal, @PathVariable String deviceId) {
        return Mono.fromCallable(() -> registry.remove(principal.getName(), deviceId))
                .subscribeOn(backend.workers())
                .flatMap(removed -> removed ? Mono.<Void>empty()
                        : Mono.error(new NotFoundException("no device " + deviceId + " of yours")));
    }

    /**
     * What a browser needs to subscribe: this server's VAPID public key (base64url, for
     * {@code pushManager.subscribe({applicationServerKey})}) and the kinds of target it can send to.
     */
    @GetMapping("/web-push-key")
    Map<String, Object> webPushKey() {
        return Map.of("publicKey", vapid.publicKey(),
                "kinds", registry.supportedKinds().stream().map(TargetKind::wireName).sorted().toList());
    }
}
