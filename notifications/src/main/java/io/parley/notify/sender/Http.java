package io.parley.notify.sender;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.Executor;

/** The HTTP client the senders share. */
public final class Http {

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
}
