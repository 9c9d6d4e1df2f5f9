package io.parley.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when something outside the JVM that it needs (PostgreSQL, Redis, a browser) is missing: on a bare
 * machine it is skipped, so {@code mvn -B verify} passes anywhere; where {@code PARLEY_REQUIRE_SERVICES=true} (CI sets
 * it, and CI has every service) it fails instead, so a test that never runs cannot pass unnoticed.
 */
public final class RequiredServices {

    /** The environment variable that turns a skip into a failure. */
    public static final String VARIABLE = "PARLEY_REQUIRE_SERVICES";

    private RequiredServices() {
    }

    /** Whether this run must have every outside service. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv(VARIABLE));
    }

    /**
     * Ends the current test, or every test of the class when called before all of them: skipped, or failed where
     * {@link #required()}. Never returns; its type lets a caller write {@code return RequiredServices.missing(...)}.
     *
     * @param what  what is missing and why, e.g. {@code "Redis at 127.0.0.1:6379 unreachable: Connection refused"}
     * @param cause what the attempt to reach it threw, or {@code null}
     */
    public static <V> V missing(String what, Throwable cause) {
        return missing(what, cause, required());
    }

    static <V> V missing(String what, Throwable cause, boolean required) {
        if (required) {
            return Assertions.fail(what + " (required: " + VARIABLE + "=true)", cause);
        }
        return Assumptions.abort(what);
    }
}
