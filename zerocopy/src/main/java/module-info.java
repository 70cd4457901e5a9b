/** Off-heap packet buffer pool and the MSG_ZEROCOPY completion tracker. */
module io.switchyard.zerocopy {
    requires io.switchyard.io;
    exports io.switchyard.zerocopy;
}
