package io.switchyard.io;

/** Which datagram transport to use. */
public enum Transport {
    /** Linux native (FFM) where available, NIO otherwise. */
    AUTO,
    /** Linux native through FFM; fails to open where unavailable. */
    NATIVE,
    /** Portable {@code java.nio} DatagramChannel. */
    NIO
}
