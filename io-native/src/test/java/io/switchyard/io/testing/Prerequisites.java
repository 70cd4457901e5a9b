package io.switchyard.io.testing;

/**
 * What a test needs from the machine (root, network namespaces, wireguard-go, the wg tool): a
 * test that lacks it skips, saying why, on a developer's machine, and fails under
 * {@code CI=true}, where {@code .ci/run} installs everything: a green CI must mean it ran.
 */
public final class Prerequisites {
    private Prerequisites() {}

    public static boolean onCi() {
        return "true".equals(System.getenv("CI"));
    }

    /** Returns when {@code missing} is null; otherwise skips the test, or fails it under CI. */
    public static void require(String missing) {
        require(missing, onCi());
    }

    /** {@link #require(String)} as if {@code CI} were {@code ci}. */
    static void require(String missing, boolean ci) {
        if (missing == null) {
            return;
        }
        if (ci) {
            org.junit.jupiter.api.Assertions.fail("CI=true, so this test must run, but: " + missing);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(false, "skipped: " + missing);
    }

    /** {@link #require} with a condition: {@code ok}, or skip (fail under CI) for {@code missing}. */
    public static void require(boolean ok, String missing) {
        require(ok ? null : missing);
    }
}
