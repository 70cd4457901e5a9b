/** The {@code switchyard} command: picocli commands over the control plane, and the demo. */
module io.switchyard.cli {
    requires io.switchyard.control;
    requires io.switchyard.io; // `switchyard doctor` prints the transport capabilities
    requires info.picocli;
    requires jdk.unsupported; // sun.misc.Signal: SIGHUP reload and clean SIGTERM/SIGINT in `switchyard up`
    opens io.switchyard.cli to info.picocli;
}
