package io.switchyard.io;

/**
 * Receives the records of a socket's error queue ({@code recvmsg(MSG_ERRQUEUE)}), one call per
 * {@code sock_extended_err}, without allocation. For MSG_ZEROCOPY completions {@code origin} is 5
 * (SO_EE_ORIGIN_ZEROCOPY), {@code errno} 0, and {@code [info, data]} is the inclusive range of
 * completed send ids (32-bit, wrapping); {@code code} 1 (SO_EE_CODE_ZEROCOPY_COPIED) means the
 * kernel copied the data after all. Other origins are ICMP errors and the like (IP_RECVERR).
 */
@FunctionalInterface
public interface ErrorQueueSink {
    void onRecord(int origin, int errno, int code, int info, int data);
}
