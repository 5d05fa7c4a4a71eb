package io.pagewalk.dsl.plugin;

/** A plugin folder or its plugin.json is unusable; the message is one line naming file and field. */
public final class ManifestException extends Exception {
    public ManifestException(String message) {
        super(message);
    }
}
