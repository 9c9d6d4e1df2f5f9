package io.parley.axon.settings;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the settings that choose between implementations, and the data directory, before any bean is built: a
 * wrong one fails the start with an {@link InvalidSettingException} naming the setting and what it accepts, instead
 * of a missing bean somewhere downstream ({@code parley.read-store=bogus} used to end in "required a bean of type
 * ReadStores") or a page of stack trace (an unwritable data directory). Runs after the configuration files are read.
 */
public class SettingsCheck implements EnvironmentPostProcessor, Ordered {

    /** Settings with a fixed set of values (compared ignoring case, as Spring's conditions do). */
    static final Map<String, List<String>> CHOICES = new LinkedHashMap<>();

    static {
        CHOICES.put("parley.read-store", List.of("embedded", "mongo"));
        CHOICES.put("parley.token-store", List.of("jdbc", "mongo"));
        CHOICES.put("parley.event-store", List.of("jdbc", "log"));
        CHOICES.put("parley.command-bus", List.of("local", "http"));
        CHOICES.put("parley.presence", List.of("local", "redis"));
        CHOICES.put("parley.event-nudge.mode", List.of("none", "redis"));
        CHOICES.put("parley.media.driver", List.of("local", "s3"));
    }

    /**
     * Counts and rates that must be whole numbers of at least 1: a rate of 0 would refuse every message, a burst of 0
     * every request, a concurrency of 0 every send (each used to be accepted at start and fail the first user); 0
     * command lanes or a batch size of 0 used to end the start in a stack trace from deep inside Axon or the bus.
     */
    static final List<String> POSITIVE = List.of(
            "parley.limits.sends-per-second", "parley.limits.sends-burst",
            "parley.limits.frames-per-second", "parley.limits.frames-burst",
            "parley.limits.typing-per-second", "parley.limits.typing-burst",
            "parley.limits.http-per-second", "parley.limits.http-burst",
            "parley.limits.connections-per-user",
            "parley.notifications.max-attempts", "parley.notifications.per-target-concurrency",
            "parley.notifications.max-in-flight", "parley.notifications.max-targets-per-user",
            "parley.search.batch-size",
            "parley.axon.snapshot-threshold", "parley.axon.processor-batch-size",
            "parley.axon.processor-segments", "parley.axon.command-batch-size", "parley.axon.command-lanes");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        CHOICES.forEach((setting, accepted) -> {
            String value = environment.getProperty(setting);
            if (value != null && accepted.stream().noneMatch(value.trim()::equalsIgnoreCase)) {
                throw new InvalidSettingException(setting, value, "not a value it accepts",
                        "one of " + String.join(", ", accepted));
            }
        });
        Binder binder = Binder.get(environment);
        for (String setting : POSITIVE) {
            // through the binder, so parley.limits.sendsPerSecond and PARLEY_LIMITS_SENDSPERSECOND are found too
            binder.bind(setting, String.class).ifBound(value -> checkPositive(setting, value));
        }
        checkEventLog(environment.getProperty("parley.event-store"), environment.getProperty("spring.datasource.url"));
        checkDataDir(environment.getProperty("parley.data-dir"));
        checkInternalSecret(environment.getProperty("parley.internal.secret"));
    }

    /**
     * The event log ({@code parley.event-store=log}) is a file one server writes: the standalone mode's, with its H2
     * file database beside it (its group commit, and erasure keys forced to the disk before use). A service of the
     * distributed mode shares its events through PostgreSQL; an H2 database in memory would lose the keys the log's
     * text needs.
     */
    static void checkEventLog(String eventStore, String datasourceUrl) {
        if (eventStore != null && eventStore.trim().equalsIgnoreCase("log")
                && (datasourceUrl == null || !datasourceUrl.matches("jdbc:h2:(retry:)?file:.*"))) {
            // the URL is not repeated: it may hold a password
            throw new InvalidSettingException("parley.event-store", eventStore, "the event log is for the standalone"
                    + " mode (one server and its H2 file database), and spring.datasource.url is not an H2 file's",
                    "jdbc");
        }
    }

    static void checkPositive(String setting, String value) {
        String accepted = "a whole number from 1 to " + Integer.MAX_VALUE;
        int number;
        try {
            number = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(setting, value, whyNotAWholeNumber(value.trim()), accepted);
        }
        if (number < 1) {
            throw new InvalidSettingException(setting, value,
                    number == 0 ? "it must be at least 1: 0 would allow nothing"
                    : "a negative number", accepted);
        }
    }

    private static String whyNotAWholeNumber(String value) {
        if (value.isEmpty()) {
            return "empty";
        }
        if (value.matches("[+-]?\\d+")) {
            return "a number outside the range of whole numbers it can hold";
        }
        if (value.matches("-?\\d+(\\s*,\\s*-?\\d+)+")) {
            return "numbers and commas: write one number, without thousands separators (a setting given twice on the"
                    + " command line arrives joined: --x=1 --x=2 reads as \"1,2\")";
        }
        return "not a whole number";
    }

    /** Secrets from examples and guides: a process holding one guards its command endpoint with a published word. */
    static final List<String> EXAMPLE_SECRETS = List.of("change-me", "changeme", "change_me", "secret", "password",
            "parley", "example");
    static final int MIN_SECRET_LENGTH = 16;

    /**
     * The shared secret of the command endpoint ({@code parley.internal.secret}) may be absent (the endpoint and the
     * HTTP command bus then refuse to start on their own), but never a known example or a short word. The value is
     * never printed.
     */
    static void checkInternalSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            return;
        }
        String accepted = "a random secret of at least " + MIN_SECRET_LENGTH + " characters, the same on the command"
                + " side and every push node (for instance the output of: openssl rand -base64 32)";
        if (EXAMPLE_SECRETS.stream().anyMatch(secret.trim()::equalsIgnoreCase)) {
            throw new InvalidSettingException("parley.internal.secret", "(hidden)",
                    "it is an example value from the documentation, known to everyone", accepted);
        }
        if (secret.trim().length() < MIN_SECRET_LENGTH) {
            throw new InvalidSettingException("parley.internal.secret", "(hidden)",
                    "shorter than " + MIN_SECRET_LENGTH + " characters", accepted);
        }
    }

    /** File systems the kernel makes up (process and device information): nothing can be stored in them. */
    static final List<String> VIRTUAL_FILE_SYSTEMS = List.of("proc", "sysfs", "devtmpfs", "devpts", "cgroup",
            "cgroup2", "debugfs", "tracefs", "securityfs", "configfs", "pstore", "bpf", "efivarfs", "mqueue",
            "hugetlbfs", "fusectl", "binfmt_misc", "autofs");

    /**
     * The data directory must be a directory this process can create and write files in. Permissions alone do not
     * say so (root may write anywhere by them, yet nothing can be created under {@code /proc}), so the check tries:
     * it creates the directory when it is missing (Parley would at start anyway) and writes and deletes an empty file
     * in it. A kernel file system ({@code /proc}, {@code /sys}, {@code /dev}) is named as such.
     */
    static void checkDataDir(String configured) {
        if (configured == null || configured.isBlank()) {
            return;
        }
        String accepted = "a directory this process can create and write to";
        Path dir;
        try {
            dir = Path.of(configured).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InvalidSettingException("parley.data-dir", configured, "not a valid path", accepted);
        }
        String user = " (user " + System.getProperty("user.name") + ")";
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        String virtual = existing == null ? null : virtualFileSystem(existing);
        if (virtual != null) {
            throw new InvalidSettingException("parley.data-dir", configured, existing + " is on the kernel's '"
                    + virtual + "' file system, which holds process and device information, not files", accepted);
        }
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidSettingException("parley.data-dir", configured, "it is a file, not a directory",
                        accepted);
            }
            if (!Files.isWritable(dir)) {
                throw new InvalidSettingException("parley.data-dir", configured,
                        "this process" + user + " cannot write to " + dir, accepted);
            }
        } else {
            if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
                throw new InvalidSettingException("parley.data-dir", configured, dir + " does not exist and this"
                        + " process" + user + " cannot create it"
                        + (existing == null ? "" : ": " + existing + " is not writable"), accepted);
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException | RuntimeException e) {
                throw new InvalidSettingException("parley.data-dir", configured, dir + " does not exist and this"
                        + " process" + user + " cannot create it: " + reason(e), accepted);
            }
        }
        try {
            Files.delete(Files.createTempFile(dir, ".parley-write-check-", ".tmp"));
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingException("parley.data-dir", configured,
                    "this process" + user + " cannot write files in " + dir + ": " + reason(e), accepted);
        }
    }

    /** The type of the kernel file system {@code path} is on, or null when it is an ordinary one (or unknown). */
    private static String virtualFileSystem(Path path) {
        try {
            String type = Files.getFileStore(path).type();
            return VIRTUAL_FILE_SYSTEMS.contains(type) ? type : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** An I/O failure in a few words: the operating system's reason, without the exception's class. */
    private static String reason(Exception e) {
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** After the configuration files and the command line are read (ConfigDataEnvironmentPostProcessor). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
