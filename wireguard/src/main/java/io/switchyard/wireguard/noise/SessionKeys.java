package io.switchyard.wireguard.noise;

/**
 * What a completed handshake yields: the two transport keys and the two indexes. {@code initiator}
 * matters for key confirmation (the responder waits for the initiator's first data message) and
 * for which side rekeys by time.
 */
public record SessionKeys(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, boolean initiator) {}
