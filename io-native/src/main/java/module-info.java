/** Datagram transports: FFM bindings to the Linux batch and offload syscalls, and the portable NIO path. */
module io.switchyard.io {
    requires transitive io.switchyard.counters;
    exports io.switchyard.io;
    exports io.switchyard.io.errors;
}
