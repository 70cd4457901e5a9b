package io.switchyard.bench.flood;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a {@link FloodBench} window pair compares. Every kind but the last two is "the same TCP
 * flow and ping, without and with this flood"; {@link #NONE} runs the unflooded window twice
 * (the ratio is the run's noise floor) and {@link #TCP_BESIDE_PING} compares c's ping alone with
 * c's ping beside one unthrottled a→b TCP flow (the benign case: one peer saturating the hub).
 */
enum FloodKind {
    NONE("none", "no flood: the unflooded window twice (noise floor)"),
    GARBAGE("garbage", "random datagrams of 0, 1, 3, 4, 31, 32, 63, 64, 91, 92, 147, 148, 149 and 1,500 bytes,"
            + " every other one from 4 bytes up with a valid type word"),
    INITIATIONS("initiations", "Noise initiations from unknown static keys with a valid mac1 for the hub's key,"
            + " random sender indexes, no mac2"),
    TYPE4_RANDOM("type4-random", "type-4 messages of 32 to 1,452 bytes at random receiver indexes"),
    TYPE4_LIVE("type4-live", "type-4 messages of 32 to 1,452 bytes at the receiver index of client a's live"
            + " session (read from its traffic), random counters"),
    COOKIES("cookies", "type-3 cookie replies (64 bytes) at random receiver indexes"),
    SPRAY("spray", "an authenticated peer sending 1,200-byte inner packets to every offline peer's overlay address"),
    TCP_BESIDE_PING("tcp-beside-ping", "c's ping alone, then beside one unthrottled a→b TCP flow (no flooder)");

    final String label;
    final String description;

    FloodKind(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** Whether the second window of the pair runs the flooder. */
    boolean floods() {
        return this != NONE && this != TCP_BESIDE_PING;
    }

    /** Whether the first window of the pair runs the TCP flow (all but the ping-alone baseline). */
    boolean baselineHasTcp() {
        return this != TCP_BESIDE_PING;
    }

    static FloodKind of(String label) {
        String l = label.strip().toLowerCase(Locale.ROOT);
        for (FloodKind k : values()) {
            if (k.label.equals(l)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown flood " + label + "; floods: " + labels());
    }

    /** The kinds of a comma-separated list, in its order, each once. */
    static List<FloodKind> list(String option) {
        List<FloodKind> kinds = new ArrayList<>();
        for (String s : option.split(",")) {
            if (!s.isBlank() && !kinds.contains(of(s))) {
                kinds.add(of(s));
            }
        }
        return kinds;
    }

    static String labels() {
        List<String> l = new ArrayList<>();
        for (FloodKind k : values()) {
            l.add(k.label);
        }
        return String.join(",", l);
    }
}
