package io.parley.axon.settings;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

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
        CHOICES.put("parley.command-bus", List.of("local", "http"));
        CHOICES.put("parley.presence", List.of("local", "redis"));
        CHOICES.put("parley.event-nudge.mode", List.of("none", "redis"));
        CHOICES.put("parley.media.driver", List.of("local", "s3"));
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        CHOICES.forEach((setting, accepted) -> {
            String value = environment.getProperty(setting);
            if (value != null && accepted.stream().noneMatch(value.trim()::equalsIgnoreCase)) {
                throw new InvalidSettingException(setting, value, "not a value it accepts",
                        "one of " + String.join(", ", accepted));
            }
        });
        checkDataDir(environment.getProperty("parley.data-dir"));
        checkInternalSecret(environment.getProperty("parley.internal.secret"));
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

    /**
     * The data directory must be a directory this process can write to, or one it can create (its nearest existing
     * ancestor writable). Nothing is created here.
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
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidSettingException("parley.data-dir", configured, "it is a file, not a directory",
                        accepted);
            }
            if (!Files.isWritable(dir)) {
                throw new InvalidSettingException("parley.data-dir", configured,
                        "this process (user " + System.getProperty("user.name") + ") cannot write to " + dir, accepted);
            }
            return;
        }
        Path parent = dir.getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new InvalidSettingException("parley.data-dir", configured, dir + " does not exist and this process"
                    + " (user " + System.getProperty("user.name") + ") cannot create it"
                    + (parent == null ? "" : ": " + parent + " is not writable"), accepted);
        }
    }

    /** After the configuration files and the command line are read (ConfigDataEnvironmentPostProcessor). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
