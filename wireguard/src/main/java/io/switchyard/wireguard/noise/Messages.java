package io.switchyard.wireguard.noise;

import io.switchyard.wireguard.WireGuard;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The four WireGuard messages (whitepaper 5.4): offsets, sizes and length-checked parsers.
 *
 * <pre>
 * initiation (148)  type=1 u32le | sender u32le @4 | ephemeral[32] @8 | static[32+16] @40
 *                   | timestamp[12+16] @88 | mac1[16] @116 | mac2[16] @132
 * response (92)     type=2 u32le | sender @4 | receiver @8 | ephemeral[32] @12 | empty[0+16] @44
 *                   | mac1[16] @60 | mac2[16] @76
 * cookie reply (64) type=3 u32le | receiver @4 | nonce[24] @8 | cookie[16+16] @32
 * transport (32+)   type=4 u32le | receiver @4 | counter u64le @8 | packet[n+16] @16
 * </pre>
 *
 * The type is the whole first little-endian word, so the three reserved bytes must be zero. A
 * message's {@code mac1} covers every byte before it, {@code mac2} every byte before itself.
 */
public final class Messages {
    private Messages() {}

    public static final int TYPE = 0;

    public static final int INITIATION_SENDER = 4;
    public static final int INITIATION_EPHEMERAL = 8;
    public static final int INITIATION_STATIC = 40;
    public static final int INITIATION_TIMESTAMP = 88;
    public static final int INITIATION_MAC1 = 116;
    public static final int INITIATION_MAC2 = 132;

    public static final int RESPONSE_SENDER = 4;
    public static final int RESPONSE_RECEIVER = 8;
    public static final int RESPONSE_EPHEMERAL = 12;
    public static final int RESPONSE_EMPTY = 44;
    public static final int RESPONSE_MAC1 = 60;
    public static final int RESPONSE_MAC2 = 76;

    public static final int COOKIE_RECEIVER = 4;
    public static final int COOKIE_NONCE = 8;
    public static final int COOKIE_NONCE_SIZE = 24;
    public static final int COOKIE_ENCRYPTED = 32;

    public static final int TRANSPORT_RECEIVER = 4;
    public static final int TRANSPORT_COUNTER = 8;
    public static final int TRANSPORT_PAYLOAD = 16;

    public static final int ENCRYPTED_STATIC_SIZE = WireGuard.KEY_SIZE + WireGuard.AEAD_TAG_SIZE;
    public static final int ENCRYPTED_TIMESTAMP_SIZE = WireGuard.TIMESTAMP_SIZE + WireGuard.AEAD_TAG_SIZE;
    public static final int ENCRYPTED_COOKIE_SIZE = WireGuard.COOKIE_SIZE + WireGuard.AEAD_TAG_SIZE;

    /**
     * The message type of {@code length} bytes at {@code offset} if the type word and the length
     * agree (exact size for types 1 to 3, at least header and tag for 4), else 0. Never throws for
     * a short buffer: it is the receive path's first classifier.
     */
    public static int classify(ByteBuffer packet, int offset, int length) {
        if (length < 4) {
            return 0;
        }
        return classifyType(packet.order() == ByteOrder.LITTLE_ENDIAN ? packet.getInt(offset)
                : Integer.reverseBytes(packet.getInt(offset)), length);
    }

    /** {@link #classify(ByteBuffer, int, int)} for native memory (the hub's receive batches). */
    public static int classify(MemorySegment packet, long offset, int length) {
        return length < 4 ? 0 : classifyType(packet.get(LE_INT, offset + TYPE), length);
    }

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The type word {@code type} if a message of it may be {@code length} bytes long, else 0. */
    private static int classifyType(int type, int length) {
        return switch (type) {
            case WireGuard.MESSAGE_INITIATION_TYPE -> length == WireGuard.MESSAGE_INITIATION_SIZE ? type : 0;
            case WireGuard.MESSAGE_RESPONSE_TYPE -> length == WireGuard.MESSAGE_RESPONSE_SIZE ? type : 0;
            case WireGuard.MESSAGE_COOKIE_REPLY_TYPE -> length == WireGuard.MESSAGE_COOKIE_REPLY_SIZE ? type : 0;
            case WireGuard.MESSAGE_TRANSPORT_TYPE -> length >= WireGuard.MESSAGE_TRANSPORT_MIN_SIZE ? type : 0;
            default -> 0;
        };
    }

    /** {@link #classify(ByteBuffer, int, int)} for an array. */
    public static int classify(byte[] packet, int length) {
        return classify(ByteBuffer.wrap(packet), 0, Math.min(length, packet.length));
    }

    /** Checks that {@code msg} is exactly one message of {@code type}; names what is wrong. */
    static void require(byte[] msg, int type, int size) throws MalformedMessageException {
        if (msg.length != size) {
            throw new MalformedMessageException("message type " + type + " must be " + size + " bytes, got " + msg.length);
        }
        if (readInt(msg, TYPE) != type) {
            throw new MalformedMessageException("not a message of type " + type + " (type word " + readInt(msg, TYPE) + ")");
        }
    }

    public static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    public static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    static byte[] slice(byte[] b, int at, int size) {
        return java.util.Arrays.copyOfRange(b, at, at + size);
    }
}
