package io.switchyard.router.hub;

import io.switchyard.zerocopy.PacketBuffer;

/**
 * The UDP GSO train rule, in one place for every sender of the hub: one {@code sendmsg} with a
 * {@code UDP_SEGMENT} cmsg carries datagrams that all have the first one's length except the
 * last, which may be shorter; at most 64 of them and 65,507 bytes in all. A peer's outbound
 * burst is cut into the longest runs that obey it.
 */
final class Trains {
    static final int MAX_SEGMENTS = 64;
    static final int MAX_TRAIN_BYTES = 65_507;

    private Trains() {}

    /** How many GSO trains {@code buffers[0..n)} make (for the flush event; not on the data path). */
    static int count(PacketBuffer[] buffers, int n) {
        int trains = 0;
        for (int i = 0; i < n; i = end(buffers, i, n, MAX_SEGMENTS)) {
            trains++;
        }
        return trains;
    }

    /**
     * The end (exclusive) of the longest valid train of {@code buffers[from..n)}, at most
     * {@code maxSegments} long; always at least {@code from + 1}.
     */
    static int end(PacketBuffer[] buffers, int from, int n, int maxSegments) {
        int segment = buffers[from].length();
        long bytes = segment;
        int i = from + 1;
        int limit = Math.min(n, from + maxSegments);
        while (i < limit) {
            int len = buffers[i].length();
            // The previous datagram must be full size: only the last one may be shorter.
            if (len > segment || bytes + len > MAX_TRAIN_BYTES || buffers[i - 1].length() != segment) {
                break;
            }
            bytes += len;
            i++;
        }
        return i;
    }

    /**
     * The end (exclusive) of the longest prefix of {@code buffers[from..end)} whose windows a
     * zerocopy send can pin: the kernel takes each page a buffer's window touches as one skb frag
     * and refuses (EMSGSIZE) a send of more than {@code maxFrags}. A 2 KiB buffer touches one
     * page; a jumbo datagram in a 64 KiB buffer touches three. Always at least {@code from + 1}.
     */
    static int zerocopyEnd(PacketBuffer[] buffers, int from, int end, int maxFrags) {
        int frags = 0;
        int i = from;
        while (i < end) {
            PacketBuffer b = buffers[i];
            long start = b.slot().address() + b.offset();
            int pages = (int) (((start + Math.max(1, b.length()) - 1) >>> 12) - (start >>> 12) + 1);
            if (frags + pages > maxFrags && i > from) {
                break;
            }
            frags += pages;
            i++;
        }
        return i;
    }
}
