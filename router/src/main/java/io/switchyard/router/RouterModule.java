package io.switchyard.router;

/** Placeholder type so the exported package exists; removed once the module has real code. */
public final class RouterModule {
    private RouterModule() {}

    /** The JPMS module name. */
    public static String moduleName() {
        return RouterModule.class.getModule().getName();
    }
}
