package io.switchyard.router.hub;

import io.switchyard.config.RouterSettings;
import io.switchyard.counters.CounterSet;
import io.switchyard.zerocopy.MpmcBufferPool;
import io.switchyard.zerocopy.PacketBuffer;
import io.switchyard.zerocopy.ZerocopyCounter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub's packet buffers, in two sizes so that big datagrams do not make every buffer big:
 * {@code PacketBuffers} buffers of 2 KiB take every datagram up to that size (all of them at the
 * common MTUs), and {@code LargePacketBuffers} buffers of 64 KiB take the bigger ones (clients
 * with jumbo MTUs, up to WireGuard's 65,535 bytes). A datagram above {@code MaxDatagramSize},
 * or above 2 KiB with no large buffers, is never copied in: the receiver drops it as
 * DATAGRAM_TOO_BIG. Open and seal happen in place and keep a datagram's size, so a buffer
 * taken for a datagram holds it until it leaves.
 *
 * <p>Backpressure reads the small pool only ({@link #approximateFree()}): it is the one every
 * ordinary datagram needs. When the large pool runs out, a big datagram is dropped as NO_BUFFER.
 */
final class PacketPools {
    final MpmcBufferPool small;
    /** Null when {@code LargePacketBuffers = 0}. */
    final MpmcBufferPool large;
    private final int maxDatagram;
    private final MailboxShares shares;
    private final int stagingCap;
    /** Buffers staged by all peers (packets waiting for a session). */
    private final AtomicInteger staged = new AtomicInteger();

    PacketPools(RouterSettings settings, CounterSet<ZerocopyCounter> counters) {
        this.small = new MpmcBufferPool("small", RouterSettings.SMALL_BUFFER_BYTES, settings.packetBuffers(), false, counters);
        this.large = settings.largePacketBuffers() == 0 || settings.maxDatagramSize() <= RouterSettings.SMALL_BUFFER_BYTES
                ? null : MpmcBufferPool.large(settings.largePacketBuffers(), false, counters);
        this.maxDatagram = large == null ? Math.min(settings.maxDatagramSize(), RouterSettings.SMALL_BUFFER_BYTES)
                : settings.maxDatagramSize();
        this.shares = new MailboxShares(settings.packetBuffers());
        this.stagingCap = settings.packetBuffers() / 4;
    }

    /** How the small buffers waiting in peers' mailboxes are shared out. */
    MailboxShares shares() {
        return shares;
    }

    /**
     * Takes a staging place (a packet waiting for its peer's session), false when a quarter of
     * the pool is staged already: packets for offline peers must not take the buffers live
     * traffic needs.
     */
    boolean stage() {
        if (staged.incrementAndGet() > stagingCap) {
            staged.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back {@code n} staging places. */
    void unstage(int n) {
        staged.addAndGet(-n);
    }

    int staged() {
        return staged.get();
    }

    /** The largest datagram a buffer is taken for; bigger ones are DATAGRAM_TOO_BIG. */
    int maxDatagram() {
        return maxDatagram;
    }

    /**
     * A buffer of at least {@code bytes} (at most {@link #maxDatagram()}), its window empty, or
     * null when that size's pool is empty (counted by the pool as exhausted).
     */
    PacketBuffer acquire(int bytes) {
        return bytes <= RouterSettings.SMALL_BUFFER_BYTES ? small.acquire() : large.acquire();
    }

    /** Free small buffers, about (two volatile reads). */
    int approximateFree() {
        return small.approximateFree();
    }

    /**
     * How many receive slots a receiver may fill in its next call, 0 when it should wait (the
     * actors hold the buffers: reading now would only copy datagrams in to drop them as
     * NO_BUFFER). At most half of what is free (other receivers share the pools), counting a
     * slot as {@code perSlot} small datagrams; and while jumbo traffic holds more than half of
     * the large buffers, also as many large ones as a 64 KiB GRO slot can hold (31 datagrams
     * above 2 KiB), or one without GRO. While the large pool is mostly free the small pool
     * alone decides, so ordinary traffic keeps full batches.
     */
    int receiveBudget(int perSlot, boolean gro) {
        int free = small.approximateFree();
        if (free < perSlot) {
            return 0;
        }
        int slots = Math.max(1, free / (2 * perSlot));
        if (large != null) {
            int largeFree = large.approximateFree();
            if (largeFree < large.capacity() / 2) {
                int perLargeSlot = gro ? 65_535 / (RouterSettings.SMALL_BUFFER_BYTES + 1) : 1;
                if (largeFree < perLargeSlot) {
                    return 0;
                }
                slots = Math.min(slots, Math.max(1, largeFree / (2 * perLargeSlot)));
            }
        }
        return slots;
    }

    /** Buffers held now (scans: metrics only). */
    int inUse() {
        return small.inUse() + (large == null ? 0 : large.inUse());
    }

    int capacity() {
        return small.capacity() + (large == null ? 0 : large.capacity());
    }

    int largeInUse() {
        return large == null ? 0 : large.inUse();
    }

    int largeCapacity() {
        return large == null ? 0 : large.capacity();
    }
}
