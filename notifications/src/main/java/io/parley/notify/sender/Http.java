package io.parley.notify.sender;

import io.parley.notify.PushTarget;
import io.parley.notify.TargetAddresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/** The HTTP client the senders share. */
public final class Http {

    private static final Logger log = LoggerFactory.getLogger(Http.class);

    private Http() {
    }

    public static HttpClient client(Duration connectTimeout, Executor executor) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /** HTTP/2 where TLS negotiates it; plain http:// (tests, a local webhook) stays HTTP/1.1, without h2c upgrades. */
    static void version(HttpRequest.Builder request, String url) {
        if (url.regionMatches(true, 0, "http:", 0, 5)) {
            request.version(HttpClient.Version.HTTP_1_1);
        }
    }

    /**
     * {@code send}, once the target's address is checked again ({@link TargetAddresses}: its name may lead elsewhere
     * now than at registration). An address that is not public is not connected to: the send is refused for good (a
     * dead letter) and logged; a host that does not resolve is tried again later. The lookup runs on the HTTP client's
     * executor, never on the caller's thread.
     */
    static CompletableFuture<SendOutcome> toPublicAddress(TargetAddresses addresses, HttpClient http, PushTarget target,
                                                          String field,
                                                          Supplier<CompletableFuture<SendOutcome>> send) {
        if (addresses.allowsPrivate()) {
            return send.get();
        }
        Executor executor = http.executor().orElse(ForkJoinPool.commonPool());
        return CompletableFuture.supplyAsync(() -> {
            try {
                return addresses.refusal(URI.create(target.address()), field);
            } catch (TargetAddresses.Unresolved e) {
                return Optional.of("");
            }
        }, executor).thenCompose(refusal -> {
            if (refusal.isEmpty()) {
                return send.get();
            }
            if (refusal.get().isEmpty()) {
                return CompletableFuture.completedFuture(new SendOutcome.Retry("host cannot be resolved"));
            }
            log.warn("not sending to push target {} ({}) of user {}: {}", target.targetId(), target.kind().wireName(),
                    target.userId(), refusal.get());
            return CompletableFuture.completedFuture(new SendOutcome.Rejected(refusal.get()));
        });
    }
}
