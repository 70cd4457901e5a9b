package io.switchyard.router.hub;

import io.switchyard.counters.CounterSet;
import io.switchyard.io.IoCounter;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.HubMetric;
import io.switchyard.zerocopy.ZerocopyCounter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the hub's counts live, so that {@code stats} can add them up: each data-path part's own
 * single-writer {@link Counters} (receivers, transmitters; peers keep theirs in their
 * {@link PeerHandle}), every socket's io counters, the pools' and trackers' zerocopy counters,
 * and the hub-wide {@link HubMetric} counts. A part that goes away (a connected socket closing,
 * its receiver stopping) is folded into retired totals, so totals never go down and a roaming
 * peer's closed sockets cost nothing.
 */
final class HubCounting {
    /** Pool and zerocopy tracker counters (one set, shared: striped). */
    final CounterSet<ZerocopyCounter> zerocopy = CounterSet.striped(ZerocopyCounter.class);
    /** The hub-wide counts (the local endpoint, events, connected sockets); gauges are read at stats time. */
    final CounterSet<HubMetric> hub = CounterSet.striped(HubMetric.class);

    private final Set<Counters> live = ConcurrentHashMap.newKeySet();
    private final Set<UdpSocket> liveSockets = ConcurrentHashMap.newKeySet();
    private final Set<UdpSocket> linkSockets = ConcurrentHashMap.newKeySet();
    /** Folded totals of what went away; guarded by itself, as are reads of the live sets. */
    private final long[] retired = new long[Counters.SIZE];
    private final long[] retiredIo = new long[IoCounter.values().length];

    /** New counters for a part, counted from now on. */
    Counters register() {
        Counters c = new Counters();
        live.add(c);
        return c;
    }

    /** Counts {@code c}, which a part already owns (a link's transmitter), from now on. */
    void register(Counters c) {
        live.add(c);
    }

    /** A socket whose io counters the hub reports; {@code link}: a peer's connected socket. */
    void register(UdpSocket s, boolean link) {
        liveSockets.add(s);
        if (link) {
            linkSockets.add(s);
        }
    }

    /** Folds {@code c} into the retired totals (once). */
    void retire(Counters c) {
        synchronized (retired) {
            if (live.remove(c)) {
                c.addTo(retired);
            }
        }
    }

    /** Folds a closed socket's io counters into the retired totals (once). */
    void retire(UdpSocket s) {
        synchronized (retired) {
            linkSockets.remove(s);
            if (liveSockets.remove(s)) {
                for (IoCounter ic : IoCounter.values()) {
                    retiredIo[ic.ordinal()] += s.counters().get(ic);
                }
            }
        }
    }

    /** Connected sockets open now. */
    int openLinks() {
        return linkSockets.size();
    }

    /** Adds the parts' data-path counters (live and retired) into {@code t} and their io counters into {@code io}. */
    void addTo(long[] t, long[] io) {
        synchronized (retired) {
            for (Counters c : live) {
                c.addTo(t);
            }
            for (int i = 0; i < Counters.SIZE; i++) {
                t[i] += retired[i];
            }
            for (IoCounter ic : IoCounter.values()) {
                long v = retiredIo[ic.ordinal()];
                for (UdpSocket s : liveSockets) {
                    v += s.counters().get(ic);
                }
                io[ic.ordinal()] += v;
            }
        }
    }

    /** Sum of one counter over {@code parts}. */
    static long sum(List<Counters> parts, io.switchyard.router.HubCounter c) {
        long v = 0;
        for (Counters p : parts) {
            v += p.get(c);
        }
        return v;
    }
}
