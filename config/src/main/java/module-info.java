/** Peer maps: wg-quick style configuration files, validation and diffs for hot reload. */
module io.switchyard.config {
    exports io.switchyard.config;
}
