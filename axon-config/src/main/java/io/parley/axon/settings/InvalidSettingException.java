package io.parley.axon.settings;

/**
 * A setting Parley cannot start with: which one, the value it was given, and what it accepts. Thrown before the
 * application context is built ({@link SettingsCheck}) and explained by {@link InvalidSettingFailureAnalyzer} in a
 * few lines instead of a stack trace.
 */
public class InvalidSettingException extends RuntimeException {

    private final String setting;
    private final String value;
    private final String accepted;

    /**
     * @param setting  the property name, as an operator writes it ({@code parley.read-store})
     * @param value    the value it has (never a secret)
     * @param problem  what is wrong with it
     * @param accepted what it accepts, for the "Action" part of the report
     */
    public InvalidSettingException(String setting, String value, String problem, String accepted) {
        super(setting + "=" + value + ": " + problem);
        this.setting = setting;
        this.value = value;
        this.accepted = accepted;
    }

    public String setting() {
        return setting;
    }

    public String value() {
        return value;
    }

    public String accepted() {
        return accepted;
    }

    /** The environment variable that sets the same property (relaxed binding): {@code PARLEY_READ_STORE}. */
    public String environmentVariable() {
        return setting.replace('.', '_').replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }
}
