package io.switchyard.actors;

/** Placeholder type so the exported package exists; removed once the module has real code. */
public final class ActorsModule {
    private ActorsModule() {}

    /** The JPMS module name. */
    public static String moduleName() {
        return ActorsModule.class.getModule().getName();
    }
}
