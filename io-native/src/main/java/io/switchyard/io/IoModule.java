package io.switchyard.io;

/** Placeholder type so the exported package exists; removed once the module has real code. */
public final class IoModule {
    private IoModule() {}

    /** The JPMS module name. */
    public static String moduleName() {
        return IoModule.class.getModule().getName();
    }
}
