package io.switchyard.wireguard.noise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The secrets a handshake computation makes on its way (Diffie-Hellman results, KDF outputs,
 * intermediate chaining keys), overwritten with zeros when the computation ends, success or not,
 * so that none lingers in the heap until the collector reuses its memory. What the handshake keeps
 * goes into its {@link Handshake} as a copy, which {@link Handshake#zero()} wipes in turn.
 */
final class Scratch {
    private final List<byte[]> secrets = new ArrayList<>(16);

    byte[] keep(byte[] secret) {
        secrets.add(secret);
        return secret;
    }

    byte[][] keep(byte[][] secrets) {
        for (byte[] s : secrets) {
            keep(s);
        }
        return secrets;
    }

    void wipe() {
        for (byte[] s : secrets) {
            Arrays.fill(s, (byte) 0);
        }
        secrets.clear();
    }
}
