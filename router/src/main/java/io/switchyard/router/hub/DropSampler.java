package io.switchyard.router.hub;

import io.switchyard.router.DropReason;
import io.switchyard.router.HubEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Once a second while anyone subscribes to the hub's events: the drops of each peer, and of the
 * hub itself, since the last second, as {@link HubEvent.Drops} (non-zero ones only). A virtual
 * thread started with the first subscription; the baseline is that moment (drops before it are
 * not news).
 */
final class DropSampler {
    private final PeerTable peers;
    private final Supplier<Map<DropReason, Long>> hubDrops;
    private final HubEvents events;
    private final Thread thread;
    private volatile boolean stopped;

    DropSampler(String name, PeerTable peers, Supplier<Map<DropReason, Long>> hubDrops, HubEvents events) {
        this.peers = peers;
        this.hubDrops = hubDrops;
        this.events = events;
        Map<PeerHandle, long[]> baseline = peerDrops();
        long[] hubBaseline = hubOnlyDrops();
        this.thread = Thread.ofVirtual().name(name).start(() -> run(baseline, hubBaseline));
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    private void run(Map<PeerHandle, long[]> last, long[] lastHub) {
        while (!stopped) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            Map<PeerHandle, long[]> next = peerDrops();
            long[] hub = hubOnlyDrops();
            if (events.active()) {
                Instant now = Instant.now();
                for (Map.Entry<PeerHandle, long[]> e : next.entrySet()) {
                    Map<DropReason, Long> delta = delta(e.getValue(), last.get(e.getKey()));
                    if (!delta.isEmpty()) {
                        events.publish(new HubEvent.Drops(now, Optional.of(e.getKey().key), delta));
                    }
                }
                Map<DropReason, Long> delta = delta(hub, lastHub);
                if (!delta.isEmpty()) {
                    events.publish(new HubEvent.Drops(now, Optional.empty(), delta));
                }
            }
            last = next;
            lastHub = hub;
        }
    }

    /** Each configured peer's counters now. */
    private Map<PeerHandle, long[]> peerDrops() {
        Map<PeerHandle, long[]> m = new IdentityHashMap<>();
        for (PeerHandle h : peers.live()) {
            long[] pt = new long[Counters.SIZE];
            h.counters.addTo(pt);
            m.put(h, pt);
        }
        return m;
    }

    /** The drops no peer is blamed for: the hub's total less every peer's (retired ones included). */
    private long[] hubOnlyDrops() {
        long[] out = new long[Counters.SIZE];
        hubDrops.get().forEach((r, c) -> out[Counters.slot(r)] = c);
        List<PeerHandle> all = new ArrayList<>(peers.live());
        all.addAll(peers.retired());
        for (PeerHandle h : all) {
            for (DropReason r : DropReason.values()) {
                out[Counters.slot(r)] -= h.counters.get(r);
            }
        }
        return out;
    }

    /** Non-zero drop differences {@code now - before} (all of {@code now} when before is null). */
    private static Map<DropReason, Long> delta(long[] now, long[] before) {
        Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long v = now[Counters.slot(r)] - (before == null ? 0 : before[Counters.slot(r)]);
            if (v != 0) {
                d.put(r, v);
            }
        }
        return d;
    }
}
