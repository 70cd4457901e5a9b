/**
 * The control plane of a running hub, through the router's public API only: the {@code wg}
 * control protocol (UAPI server and client), {@code switchyard reload}, the Prometheus endpoint
 * and the JFR events of the control plane.
 */
module io.switchyard.control {
    requires transitive io.switchyard.router;
    requires jdk.httpserver;
    requires jdk.jfr;
    exports io.switchyard.control;
}
