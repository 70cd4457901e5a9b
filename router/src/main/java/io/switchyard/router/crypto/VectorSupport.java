package io.switchyard.router.crypto;

/**
 * Whether {@link ChaCha20Poly1305Lanes} may be used in this JVM, decided once without touching
 * {@code jdk.incubator.vector} unless the module is there (the class that imports it is loaded
 * only then).
 */
final class VectorSupport {
    /** System property that turns the vector kernel off ({@code false}); on by default. */
    static final String PROPERTY = "switchyard.crypto.vector";
    static final boolean USABLE;
    /** Whether the JVM resolved {@code jdk.incubator.vector}, whatever its vector width. */
    static final boolean MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /** What is missing, for logs and the exception of {@link InPlaceChaCha20Poly1305#vectorised}; {@code ""} if usable. */
    static final String WHY_NOT;

    static {
        String why;
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            why = "-D" + PROPERTY + "=true (it is set to false)";
        } else if (!MODULE) {
            why = "the JVM option --add-modules jdk.incubator.vector";
        } else {
            int blocks = ChaCha20Poly1305Lanes.blocksPerPass();
            why = blocks >= 16 ? "" : "vectors of 16 ints (AVX-512); this JVM's preferred vectors hold " + blocks;
        }
        WHY_NOT = why;
        USABLE = why.isEmpty();
    }

    private VectorSupport() {
    }
}
