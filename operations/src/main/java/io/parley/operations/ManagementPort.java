package io.parley.operations;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The management port of a service without a web server of its own (command side, query side, notifications):
 * health, its {@code liveness} and {@code readiness} groups (200 when UP, 503 otherwise, status only) and the
 * Prometheus scrape, on {@code parley.operations.management-address}:{@code management-port}. It is for the private
 * network, like the command endpoint: it answers without authentication.
 */
class ManagementPort implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ManagementPort.class);
    private static final Map<String, String[]> HEALTH = Map.of(
            "/actuator/health", new String[0],
            "/actuator/health/liveness", new String[]{"liveness"},
            "/actuator/health/readiness", new String[]{"readiness"});

    private final HealthEndpoint health;
    private final HttpCodeStatusMapper statusCodes;
    private final PrometheusMeterRegistry prometheus;
    private final OperationsProperties properties;
    private volatile HttpServer server;

    ManagementPort(HealthEndpoint health, HttpCodeStatusMapper statusCodes, PrometheusMeterRegistry prometheus,
                   OperationsProperties properties) {
        this.health = health;
        this.statusCodes = statusCodes;
        this.prometheus = prometheus;
        this.properties = properties;
    }

    /** The port it listens on (useful when configured as 0); -1 when not running. */
    int port() {
        HttpServer current = server;
        return current == null ? -1 : current.getAddress().getPort();
    }

    @Override
    public void start() {
        try {
            HttpServer http = HttpServer.create(
                    new InetSocketAddress(properties.managementAddress(), properties.managementPort()), 16);
            http.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "parley-management");
                thread.setDaemon(true);
                return thread;
            }));
            http.createContext("/actuator/", this::answer);
            http.start();
            server = http;
            log.info("Management port (health, readiness, Prometheus) on http://{}:{}/actuator",
                    properties.managementAddress(), port());
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on parley.operations.management-address:"
                    + "management-port " + properties.managementAddress() + ":" + properties.managementPort(), e);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                write(exchange, 405, "text/plain", "GET only");
            } else if ("/actuator/prometheus".equals(path)) {
                write(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape());
            } else if (HEALTH.containsKey(path)) {
                HealthComponent component = health.healthForPath(HEALTH.get(path));
                if (component == null) {
                    write(exchange, 404, "text/plain", "no such health group");
                    return;
                }
                String body = "{\"status\":\"" + component.getStatus().getCode() + "\"}";
                write(exchange, statusCodes.getStatusCode(component.getStatus()), "application/json", body);
            } else {
                write(exchange, 404, "text/plain", "not found");
            }
        }
    }

    private static void write(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        HttpServer http = server;
        server = null;
        if (http != null) {
            http.stop(0);
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
