package io.parley.standalone;

import org.h2.api.ErrorCode;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

import java.sql.SQLException;

/**
 * Explains a start on a data directory whose H2 file another process holds open (H2's error 90020, "Database may be
 * already in use": a second Parley on the same {@code parley.data-dir}, or an H2 tool): the file, what holds it and
 * what to do, in a few lines instead of ~130 lines of stack trace through Flyway and the read stores.
 */
public class DatabaseInUseFailureAnalyzer extends AbstractFailureAnalyzer<SQLException> {

    private final Environment environment;

    public DatabaseInUseFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SQLException cause) {
        if (cause.getErrorCode() != ErrorCode.DATABASE_ALREADY_OPEN_1) {
            return null;
        }
        String description = "Parley cannot open its database: " + lockedFile(cause) + " is in use by another process"
                + " (another Parley on the same data directory, or an H2 tool).";
        String action = "Stop the other process, or start this one with another data directory (--parley.data-dir=PATH"
                + ", or the environment variable PARLEY_DATA_DIR; this one is "
                + environment.getProperty("parley.data-dir", "./data") + ").";
        return new FailureAnalysis(description, action, cause);
    }

    /** The file H2 names in its message ({@code Database may be already in use: "retry:/path/parley.mv.db"}). */
    private static String lockedFile(SQLException cause) {
        String message = String.valueOf(cause.getMessage());
        int open = message.indexOf('"');
        int close = open < 0 ? -1 : message.indexOf('"', open + 1);
        if (close < 0) {
            return "the H2 file";
        }
        String file = message.substring(open + 1, close);
        return file.startsWith("retry:") ? file.substring("retry:".length()) : file;
    }
}
