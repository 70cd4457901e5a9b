package io.switchyard.config;

/** Placeholder type so the exported package exists; removed once the module has real code. */
public final class ConfigModule {
    private ConfigModule() {}

    /** The JPMS module name. */
    public static String moduleName() {
        return ConfigModule.class.getModule().getName();
    }
}
