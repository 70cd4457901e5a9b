package io.switchyard.zerocopy;

/** Placeholder type so the exported package exists; removed once the module has real code. */
public final class ZerocopyModule {
    private ZerocopyModule() {}

    /** The JPMS module name. */
    public static String moduleName() {
        return ZerocopyModule.class.getModule().getName();
    }
}
