package io.switchyard.io.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {
    @Test
    void withCiSetAMissingPrerequisiteFailsInsteadOfSkipping() {
        assertThrows(TestAbortedException.class, () -> Prerequisites.require("no root", false));
        assertThrows(AssertionFailedError.class, () -> Prerequisites.require("no root", true));
        Prerequisites.require(null, true); // nothing missing: nothing happens
    }
}
