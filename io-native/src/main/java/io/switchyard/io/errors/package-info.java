/**
 * How a transport call fails: {@link io.switchyard.io.errors.TransportException} names the call
 * and the error, its subclasses say the socket was closed or a wait was interrupted. A leaf
 * package, so the Linux bindings under it and the sockets above them both throw these without
 * depending on each other.
 */
package io.switchyard.io.errors;
