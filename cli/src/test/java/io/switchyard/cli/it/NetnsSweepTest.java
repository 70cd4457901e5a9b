package io.switchyard.cli.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Netns#sweep} deletes what a dead run left and nothing of a live one: several suites run
 * at once on a shared machine, and an earlier sweep that deleted every {@code syit-} namespace
 * pulled the network out from under a concurrent run. Needs root; skips, saying why, otherwise
 * (fails under CI=true).
 */
class NetnsSweepTest {
    private static boolean exists(String name) throws IOException {
        for (String line : Netns.run("ip", "netns", "list").out().split("\n")) {
            if (line.strip().split(" ")[0].equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void sweepDeletesADeadRunsNamespacesAndKeepsALiveRuns() throws Exception {
        String why = Netns.unavailable();
        Netns.requireOrSkip(why);
        // A pid that was alive and is not any more: a process we started and waited for.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();
        assumeTrue(ProcessHandle.of(deadPid).isEmpty(), "skipped: the pid was reused at once");

        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        String dead = Netns.PREFIX + deadPid + "-" + id + "-z";
        Netns live = Netns.createOrSkip(Netns.PREFIX + id + "-y");
        try (live) {
            Netns.run("ip", "netns", "add", dead); // as a run that died would have left it
            try {
                assertTrue(exists(dead), "could not make the dead run's namespace");
                Netns.sweep();
                assertFalse(exists(dead), "a dead run's namespace survived the sweep");
                assertTrue(exists(live.name), "the sweep deleted a live run's namespace");
            } finally {
                Netns.run("ip", "netns", "del", dead);
            }
        }
    }
}
