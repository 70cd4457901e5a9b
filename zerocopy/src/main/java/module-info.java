/** Off-heap packet buffer pool and the MSG_ZEROCOPY completion tracker. */
module io.switchyard.zerocopy {
    requires transitive io.switchyard.counters;
    requires io.switchyard.io;
    exports io.switchyard.zerocopy;
}
