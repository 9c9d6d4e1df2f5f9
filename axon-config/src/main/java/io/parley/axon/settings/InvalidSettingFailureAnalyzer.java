package io.parley.axon.settings;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains an {@link InvalidSettingException}: the setting, its value, what it accepts, and where to change it. */
public class InvalidSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSettingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidSettingException cause) {
        String description = "Parley cannot start with the setting " + cause.getMessage();
        String action = "Set " + cause.setting() + " to " + cause.accepted() + " (as --" + cause.setting()
                + "=VALUE, or the environment variable " + cause.environmentVariable() + "). See README.md, Configuration.";
        return new FailureAnalysis(description, action, cause);
    }
}
