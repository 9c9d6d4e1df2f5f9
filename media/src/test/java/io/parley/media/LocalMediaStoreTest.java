package io.parley.media;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The contract on the {@code local} driver. Its URLs are served by the edge in Parley (WebFlux, exercised by the
 * standalone story); here a JDK HTTP server does the same few steps with the driver's own checks
 * ({@link LocalMediaStore#acceptUpload}, {@link LocalMediaStore#acceptDownload}), so the signed URLs travel over real
 * HTTP.
 */
class LocalMediaStoreTest extends MediaStoreContract {

    @TempDir
    static Path dir;
    private static LocalMediaStore store;
    private static HttpServer server;

    @BeforeAll
    static void start() throws IOException {
        store = new LocalMediaStore(dir.resolve("media"), UrlSigner.configuredOrKeptIn(null, dir), Clock.systemUTC());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(LocalMediaStore.PATH, LocalMediaStoreTest::serve);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Override
    MediaStore store() {
        return store;
    }

    @Override
    URI resolve(String url) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + url);
    }

    private static void serve(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestURI().getPath().substring(LocalMediaStore.PATH.length());
        Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
        try (exchange) {
            long expires = Long.parseLong(q.getOrDefault("expires", "0"));
            if ("PUT".equals(exchange.getRequestMethod())) {
                Optional<LocalMediaStore.Upload> upload = store.acceptUpload(key, expires,
                        Long.parseLong(q.getOrDefault("max", "0")), q.get("sig"));
                if (upload.isEmpty()) {
                    exchange.sendResponseHeaders(403, -1);
                    return;
                }
                Path tmp = store.temporaryFor(upload.get().target());
                try (InputStream in = exchange.getRequestBody()) {
                    if (Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
                            > upload.get().maxBytes()) {
                        exchange.sendResponseHeaders(413, -1);
                        return;
                    }
                    store.commit(tmp, upload.get().target());
                } finally {
                    Files.deleteIfExists(tmp);
                }
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            Optional<LocalMediaStore.Download> download = store.acceptDownload(key, expires, q.get("ct"), q.get("cd"),
                    q.get("sig"));
            if (download.isEmpty()) {
                exchange.sendResponseHeaders(403, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", download.get().contentType());
            exchange.getResponseHeaders().set("Content-Disposition", download.get().contentDisposition());
            exchange.sendResponseHeaders(200, Files.size(download.get().file()));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(download.get().file(), out);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }
}
