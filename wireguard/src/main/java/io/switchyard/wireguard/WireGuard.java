package io.switchyard.wireguard;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * WireGuard's protocol constants, named as the whitepaper (section 6.1 "Protocol constants" and
 * section 5.4 "Messages") names them, kept in one place.
 */
public final class WireGuard {
    private WireGuard() {}

    // --- Noise construction (whitepaper 5.4) -----------------------------------------------
    public static final byte[] CONSTRUCTION =
            "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] IDENTIFIER =
            "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

    // --- Message types and sizes -----------------------------------------------------------
    public static final int MESSAGE_INITIATION_TYPE = 1;
    public static final int MESSAGE_RESPONSE_TYPE = 2;
    public static final int MESSAGE_COOKIE_REPLY_TYPE = 3;
    public static final int MESSAGE_TRANSPORT_TYPE = 4;

    public static final int MESSAGE_INITIATION_SIZE = 148;
    public static final int MESSAGE_RESPONSE_SIZE = 92;
    public static final int MESSAGE_COOKIE_REPLY_SIZE = 64;
    /** Header of a transport data message: type(4) receiver(4) counter(8). */
    public static final int MESSAGE_TRANSPORT_HEADER_SIZE = 16;
    public static final int AEAD_TAG_SIZE = 16;
    /** Smallest transport message: header and tag of an empty (keepalive) payload. */
    public static final int MESSAGE_TRANSPORT_MIN_SIZE = MESSAGE_TRANSPORT_HEADER_SIZE + AEAD_TAG_SIZE;
    /** Payloads are zero-padded to a multiple of this before sealing. */
    public static final int PADDING_MULTIPLE = 16;

    public static final int KEY_SIZE = 32;
    public static final int MAC_SIZE = 16;
    public static final int COOKIE_SIZE = 16;
    public static final int TIMESTAMP_SIZE = 12;

    // --- Limits (whitepaper 6.1) -----------------------------------------------------------
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** 2^64 - 2^13 - 1, as an unsigned value in a long: compare with {@link Long#compareUnsigned}. */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;
    public static final Duration REKEY_AFTER_TIME = Duration.ofSeconds(120);
    public static final Duration REJECT_AFTER_TIME = Duration.ofSeconds(180);
    public static final Duration REKEY_ATTEMPT_TIME = Duration.ofSeconds(90);
    public static final Duration REKEY_TIMEOUT = Duration.ofSeconds(5);
    /** Each handshake retransmission adds a random jitter up to this. */
    public static final Duration REKEY_TIMEOUT_JITTER_MAX = Duration.ofMillis(333);
    public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);
    /** Cookie secrets rotate, and cookies expire, after this. */
    public static final Duration COOKIE_REFRESH_TIME = Duration.ofSeconds(120);
    /** An initiation arriving sooner than this after the previous accepted one is ignored. */
    public static final Duration HANDSHAKE_INITIATION_RATE = Duration.ofMillis(20);

    // --- Replay window (the kernel's counter.c geometry) -----------------------------------
    /** Bits in the replay bitmap: 128 longs. */
    public static final int COUNTER_BITS_TOTAL = 8192;
    /** Usable window: one 64-bit word is kept free for the rotating bitmap. */
    public static final int COUNTER_WINDOW_SIZE = COUNTER_BITS_TOTAL - Long.SIZE;

    // --- Handshake load shedding ------------------------------------------------------------
    /** Handshakes per second allowed per source (IPv4 address, IPv6 /64) under load. */
    public static final int HANDSHAKES_PER_SECOND = 20;
    public static final int HANDSHAKE_BURST = 5;
}
