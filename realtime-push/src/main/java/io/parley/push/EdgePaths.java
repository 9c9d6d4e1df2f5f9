package io.parley.push;

/** The edge's fixed paths, for the parts that map, guard or observe them. */
public final class EdgePaths {

    /** Where clients open their WebSocket. */
    public static final String SOCKET = "/ws";

    /** Spring Boot Actuator's endpoints (health, Prometheus, info) on the main port. */
    public static final String ACTUATOR = "/actuator";

    private EdgePaths() {
    }
}
