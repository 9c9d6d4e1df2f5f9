package io.parley.bench.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.bench.inprocess.BenchApplication;
import io.parley.media.MediaProperties;
import io.parley.media.MediaScanner;
import io.parley.media.MediaSchema;
import io.parley.media.MediaService;
import io.parley.media.S3Drivers;
import io.parley.media.S3MediaStore;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.h2.jdbcx.JdbcDataSource;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.unit.DataSize;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The media benchmark (issue 14): heap while 20 clients upload 50 MB each at once through the {@code local} driver
 * (Parley's own signed-URL endpoint, then completion: type sniffing, hashing, the copy to the original), and the
 * throughput of one 100 MB upload on {@code local} and on {@code s3} (s3proxy with its filesystem backend in this
 * JVM). The clients run in the same JVM and generate their bytes on the fly (64 KB at a time), so what the heap holds
 * beyond the idle application is the server's share.
 * <p>
 * {@code java -Xmx1g -cp ... io.parley.bench.media.MediaBench [--clients=20 --mb=50 --big-mb=100]}
 */
public final class MediaBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private MediaBench() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            args.put(a.substring(2, eq), a.substring(eq + 1));
        }
        int clients = Integer.parseInt(args.getOrDefault("clients", "20"));
        int mb = Integer.parseInt(args.getOrDefault("mb", "50"));
        int bigMb = Integer.parseInt(args.getOrDefault("big-mb", "100"));
        Path data = Files.createTempDirectory("parley-media-bench");

        Map<String, Object> props = new HashMap<>();
        props.put("parley.data-dir", data.toString());
        props.put("parley.read-store", "embedded");
        props.put("spring.datasource.url", "jdbc:h2:file:" + data + "/parley;DB_CLOSE_ON_EXIT=FALSE");
        props.put("spring.datasource.username", "sa");
        props.put("spring.datasource.password", "");
        props.put("axon.axonserver.enabled", "false");
        props.put("spring.main.banner-mode", "off");
        props.put("server.port", "0");
        props.put("logging.level.root", "warn");
        props.put("parley.media.max-file-size", "1GB");
        props.put("parley.media.quota", "100GB");
        props.put("parley.media.uploads-per-minute", "1000");
        props.put("parley.limits.http-per-second", "10000");
        props.put("parley.limits.http-burst", "10000");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(BenchApplication.class)
                .web(WebApplicationType.REACTIVE).properties(props).run();
        try {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            String base = "http://127.0.0.1:" + port;
            String token = signUp(base);
            System.out.printf("== media benchmark: max heap %d MB, %d cores%n",
                    Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());

            // warm up the path once
            upload(base, token, 4);
            long idle = settledHeap();
            HeapSampler sampler = new HeapSampler();
            sampler.start();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long started = System.nanoTime();
            List<Future<double[]>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                results.add(pool.submit(() -> upload(base, token, mb)));
            }
            for (Future<double[]> r : results) {
                r.get();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            sampler.stop();
            pool.shutdown();
            long after = settledHeap();
            System.out.printf("local: %d concurrent uploads of %d MB (PUT + complete) in %.1f s, %.0f MB/s in all%n",
                    clients, mb, seconds, clients * mb / seconds);
            System.out.printf("local: heap used, idle after GC %d MB; sampled peak %d MB (garbage included);"
                            + " old generation after the collections during the uploads, peak %d MB; after GC %d MB%n",
                    idle >> 20, sampler.peakUsed.get() >> 20, sampler.peakOldAfterGc.get() >> 20, after >> 20);

            double[] local = upload(base, token, bigMb);
            System.out.printf("local: one %d MB upload: PUT %.2f s (%.0f MB/s), complete %.2f s (%.0f MB/s)%n",
                    bigMb, local[0], bigMb / local[0], local[1], bigMb / local[1]);
        } finally {
            context.close();
        }
        s3(bigMb, data);
        System.exit(0);
    }

    /** One 100 MB upload on s3: presigned PUT to s3proxy, then completion (read back, hashed, written as original). */
    private static void s3(int bigMb, Path data) throws Exception {
        Properties properties = new Properties();
        Path blobs = Files.createDirectories(data.resolve("s3"));
        properties.setProperty("jclouds.filesystem.basedir", blobs.toString());
        BlobStoreContext blobContext = ContextBuilder.newBuilder("filesystem").overrides(properties)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(blobContext.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "bench", "bench-secret").build();
        proxy.start();
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            Thread.sleep(10);
        }
        try {
            MediaProperties d = MediaProperties.defaults();
            MediaProperties.S3 s3 = new MediaProperties.S3("http://127.0.0.1:" + proxy.getPort(), null, "us-east-1",
                    "bench-media", true, "bench", "bench-secret", true, DataSize.ofMegabytes(8));
            MediaProperties settings = new MediaProperties("s3", d.urlTtl(), d.uploadTtl(), d.unattachedTtl(),
                    d.collectEvery(), d.maxImageSize(), d.maxVideoSize(), DataSize.ofGigabytes(1),
                    DataSize.ofGigabytes(100), 1000, 10, d.maxPixels(), 320, null, null, s3);
            S3MediaStore store = S3Drivers.create(s3);
            JdbcDataSource db = new JdbcDataSource();
            db.setURL("jdbc:h2:mem:media-bench;DB_CLOSE_DELAY=-1");
            MediaSchema.migrate(db);
            MediaService media = new MediaService(store, db, settings, MediaScanner.NONE, Clock.systemUTC());
            long size = (long) bigMb << 20;
            MediaService.Upload upload = media.start("bench", "big.bin", "application/octet-stream", size);
            long t0 = System.nanoTime();
            HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.upload().url()))
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(size)), size));
            upload.upload().headers().forEach(put::header);
            HttpResponse<String> stored = HTTP.send(put.build(), HttpResponse.BodyHandlers.ofString());
            if (stored.statusCode() / 100 != 2) {
                throw new IllegalStateException("S3 PUT failed: " + stored.statusCode() + " " + stored.body());
            }
            double putSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            media.complete("bench", upload.mediaId());
            double completeSeconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf("s3 (s3proxy, filesystem): one %d MB upload: PUT %.2f s (%.0f MB/s), complete %.2f s"
                    + " (%.0f MB/s; read back, hashed, written as an %d-part multipart upload)%n", bigMb, putSeconds,
                    bigMb / putSeconds, completeSeconds, bigMb / completeSeconds, (size + (8 << 20) - 1) / (8 << 20));
        } finally {
            proxy.stop();
            blobContext.close();
        }
    }

    /** Starts, PUTs and completes a {@code mb} MB upload; answers {seconds of PUT, seconds of complete}. */
    private static double[] upload(String base, String token, int mb) throws Exception {
        long size = (long) mb << 20;
        JsonNode started = call(base, token, "POST", "/api/media/uploads", JSON.createObjectNode()
                .put("name", "blob-" + UUID.randomUUID() + ".bin").put("contentType", "application/octet-stream")
                .put("size", size));
        long t0 = System.nanoTime();
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(base + started.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(size)), size));
        started.get("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
        HttpResponse<String> stored = HTTP.send(put.build(), HttpResponse.BodyHandlers.ofString());
        if (stored.statusCode() / 100 != 2) {
            throw new IllegalStateException("PUT failed: " + stored.statusCode() + " " + stored.body());
        }
        double putSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        call(base, token, "POST", "/api/media/" + started.get("mediaId").asText() + "/complete", null);
        return new double[]{putSeconds, (System.nanoTime() - t1) / 1e9};
    }

    private static String signUp(String base) throws Exception {
        String name = "bench_" + UUID.randomUUID().toString().substring(0, 8);
        call(base, null, "POST", "/api/users", JSON.createObjectNode().put("username", name)
                .put("password", "correct horse battery").put("displayName", "Bench"));
        return call(base, null, "POST", "/api/sessions", JSON.createObjectNode().put("username", name)
                .put("password", "correct horse battery")).get("token").asText();
    }

    private static JsonNode call(String base, String token, String method, String path, JsonNode body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static long settledHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Samples heap use every 20 ms, and the old generation as each collection left it. */
    private static final class HeapSampler {
        final AtomicLong peakUsed = new AtomicLong();
        final AtomicLong peakOldAfterGc = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        void start() {
            List<MemoryPoolMXBean> old = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP && p.getName().contains("Old")).toList();
            thread = new Thread(() -> {
                while (running.get()) {
                    peakUsed.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                            Math::max);
                    for (MemoryPoolMXBean pool : old) {
                        if (pool.getCollectionUsage() != null) {
                            peakOldAfterGc.accumulateAndGet(pool.getCollectionUsage().getUsed(), Math::max);
                        }
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /** {@code size} bytes made on the fly, 64 KB at a time. */
    private static final class Generated extends InputStream {
        private final byte[] chunk = new byte[64 * 1024];
        private long left;

        Generated(long size) {
            this.left = size;
            new java.util.Random(size).nextBytes(chunk);
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return chunk[(int) (left % chunk.length)] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int done = 0; done < n; ) {
                int pos = (int) ((left - done) % chunk.length);
                int m = Math.min(n - done, chunk.length - pos);
                System.arraycopy(chunk, pos, b, off + done, m);
                done += m;
            }
            left -= n;
            return n;
        }
    }
}
