package io.parley.standalone;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An OTLP/HTTP trace receiver as a collector runs one: {@code POST /v1/traces} with an {@code ExportTraceServiceRequest}
 * in protobuf, answered 200 with an empty (valid) response. It keeps each span's ids, parent and name, read with a few
 * lines of protobuf wire format instead of the generated classes.
 */
final class OtlpReceiver implements AutoCloseable {

    /** One exported span; ids in lower-case hex, {@code parentSpanId} empty for a root. */
    record ExportedSpan(String traceId, String spanId, String parentSpanId, String name) {
    }

    private final HttpServer server;
    private final List<ExportedSpan> spans = new ArrayList<>();
    private int requests;

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    static OtlpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/v1/traces", exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    byte[] bytes = body.readAllBytes();
                    boolean ok = "POST".equals(exchange.getRequestMethod());
                    if (ok) {
                        receiver.received(bytes);
                    }
                    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(ok ? 200 : 405, -1);
                } finally {
                    exchange.close();
                }
            });
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    synchronized List<ExportedSpan> spans() {
        return List.copyOf(spans);
    }

    synchronized List<ExportedSpan> spansOf(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    synchronized int requests() {
        return requests;
    }

    private synchronized void received(byte[] request) {
        requests++;
        // ExportTraceServiceRequest.resource_spans(1) → ResourceSpans.scope_spans(2) → ScopeSpans.spans(2) → Span
        for (byte[] resourceSpans : fields(request, 1)) {
            for (byte[] scopeSpans : fields(resourceSpans, 2)) {
                for (byte[] span : fields(scopeSpans, 2)) {
                    spans.add(new ExportedSpan(hex(first(span, 1)), hex(first(span, 2)), hex(first(span, 4)),
                            new String(first(span, 5), StandardCharsets.UTF_8)));
                }
            }
        }
    }

    private static byte[] first(byte[] message, int field) {
        List<byte[]> values = fields(message, field);
        return values.isEmpty() ? new byte[0] : values.get(0);
    }

    /** The length-delimited values of one field of a protobuf message; other fields are skipped by wire type. */
    private static List<byte[]> fields(byte[] message, int wanted) {
        List<byte[]> values = new ArrayList<>();
        int[] at = {0};
        while (at[0] < message.length) {
            long key = varint(message, at);
            int field = (int) (key >>> 3);
            int wireType = (int) (key & 7);
            switch (wireType) {
                case 0 -> varint(message, at);
                case 1 -> at[0] += 8;
                case 5 -> at[0] += 4;
                case 2 -> {
                    int length = (int) varint(message, at);
                    if (field == wanted) {
                        byte[] value = new byte[length];
                        System.arraycopy(message, at[0], value, 0, length);
                        values.add(value);
                    }
                    at[0] += length;
                }
                default -> throw new IllegalArgumentException("unexpected wire type " + wireType);
            }
        }
        return values;
    }

    private static long varint(byte[] bytes, int[] at) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = bytes[at[0]++];
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
