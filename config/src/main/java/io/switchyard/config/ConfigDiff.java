package io.switchyard.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changed between a running configuration and a newly parsed one, keyed by peer public key:
 * the plan a router applies on reload. Pure data; computing it does no I/O.
 *
 * <p>Peers are matched by public key only. A peer whose key is in both configs and whose fields
 * are equal is unchanged and must keep its sessions, counters and learned endpoint. A changed peer
 * lists exactly which fields changed, with the AllowedIPs delta as added and removed prefixes (an
 * AllowedIPs reorder is not a change). Interface changes (private key, listen port, fwmark) and
 * {@code [Switchyard]} settings marked {@link Setting#requiresRestart()} cannot be applied to a
 * running router and are flagged by {@link #requiresRestart()}; wg-quick-only keys never matter.
 *
 * @param added peers only in the new config, in its order
 * @param removed peers only in the old config, in its order
 * @param changed peers in both whose fields differ, in the new config's order
 * @param unchanged how many peers are in both and equal
 * @param interfaceChanges which interface fields differ
 * @param settingChanges which router settings differ
 */
public record ConfigDiff(
        List<PeerConfig> added, List<PeerConfig> removed, List<PeerChange> changed, int unchanged,
        Set<InterfaceField> interfaceChanges, Set<Setting> settingChanges) {

    /** Interface fields; every one of them needs a restart (new key or new sockets). */
    public enum InterfaceField {
        PRIVATE_KEY,
        LISTEN_PORT,
        FW_MARK
    }

    /** Peer fields a reload can change in place. */
    public enum PeerField {
        ALLOWED_IPS,
        ENDPOINT,
        PRESHARED_KEY,
        PERSISTENT_KEEPALIVE
    }

    /**
     * One peer whose settings changed.
     *
     * @param allowedIpsAdded prefixes to insert into the routing table for this peer
     * @param allowedIpsRemoved prefixes to delete from it
     */
    public record PeerChange(
            PeerConfig before, PeerConfig after, Set<PeerField> fields,
            Set<IpPrefix> allowedIpsAdded, Set<IpPrefix> allowedIpsRemoved) {
        public PeerChange {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
            fields = fields.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(fields));
            allowedIpsAdded = Set.copyOf(allowedIpsAdded);
            allowedIpsRemoved = Set.copyOf(allowedIpsRemoved);
        }

        /** The peer's key (the same before and after). */
        public Key32 publicKey() {
            return after.publicKey();
        }

        @Override
        public String toString() {
            return "PeerChange[" + publicKey() + " " + fields + " +" + allowedIpsAdded + " -" + allowedIpsRemoved + "]";
        }
    }

    public ConfigDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        interfaceChanges = interfaceChanges.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(interfaceChanges));
        settingChanges = settingChanges.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(settingChanges));
    }

    /** The changes that turn {@code before} into {@code after}. */
    public static ConfigDiff between(Config before, Config after) {
        Map<Key32, PeerConfig> old = before.peersByKey();
        Set<Key32> kept = new HashSet<>();
        var added = new ArrayList<PeerConfig>();
        var changed = new ArrayList<PeerChange>();
        int unchanged = 0;
        for (PeerConfig p : after.peers()) {
            PeerConfig q = old.get(p.publicKey());
            if (q == null) {
                added.add(p);
                continue;
            }
            kept.add(p.publicKey());
            PeerChange c = compare(q, p);
            if (c == null) {
                unchanged++;
            } else {
                changed.add(c);
            }
        }
        var removed = new ArrayList<PeerConfig>();
        for (PeerConfig q : before.peers()) {
            if (!kept.contains(q.publicKey())) {
                removed.add(q);
            }
        }
        var iface = EnumSet.noneOf(InterfaceField.class);
        InterfaceConfig a = before.iface();
        InterfaceConfig b = after.iface();
        if (!a.privateKey().equals(b.privateKey())) {
            iface.add(InterfaceField.PRIVATE_KEY);
        }
        if (a.listenPort() != b.listenPort()) {
            iface.add(InterfaceField.LISTEN_PORT);
        }
        if (a.fwMark() != b.fwMark()) {
            iface.add(InterfaceField.FW_MARK);
        }
        var settings = EnumSet.noneOf(Setting.class);
        for (Setting s : Setting.values()) {
            if (!before.settings().get(s).equals(after.settings().get(s))) {
                settings.add(s);
            }
        }
        // ControlSocket = auto depends on the interface name
        if (!before.controlSocket().equals(after.controlSocket())) {
            settings.add(Setting.CONTROL_SOCKET);
        }
        return new ConfigDiff(added, removed, changed, unchanged, iface, settings);
    }

    /** Null if the two are the same peer settings. */
    private static PeerChange compare(PeerConfig before, PeerConfig after) {
        var fields = EnumSet.noneOf(PeerField.class);
        Set<IpPrefix> oldIps = before.allowedIpSet();
        Set<IpPrefix> newIps = after.allowedIpSet();
        var addedIps = new HashSet<>(newIps);
        addedIps.removeAll(oldIps);
        var removedIps = new HashSet<>(oldIps);
        removedIps.removeAll(newIps);
        if (!addedIps.isEmpty() || !removedIps.isEmpty()) {
            fields.add(PeerField.ALLOWED_IPS);
        }
        if (!before.endpoint().equals(after.endpoint())) {
            fields.add(PeerField.ENDPOINT);
        }
        // Only the key matters: moving the same key from inline to a file changes nothing live.
        if (!before.presharedKey().equals(after.presharedKey())) {
            fields.add(PeerField.PRESHARED_KEY);
        }
        if (before.persistentKeepalive() != after.persistentKeepalive()) {
            fields.add(PeerField.PERSISTENT_KEEPALIVE);
        }
        return fields.isEmpty() ? null : new PeerChange(before, after, fields, addedIps, removedIps);
    }

    /** True if nothing a router acts on changed. */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty()
                && interfaceChanges.isEmpty() && settingChanges.isEmpty();
    }

    /** True if some change cannot be applied to a running router. */
    public boolean requiresRestart() {
        return !interfaceChanges.isEmpty() || settingChanges.stream().anyMatch(Setting::requiresRestart);
    }

    /** Human-readable reasons a restart is needed, empty if none. */
    public List<String> restartReasons() {
        var reasons = new ArrayList<String>();
        for (InterfaceField f : interfaceChanges) {
            reasons.add(switch (f) {
                case PRIVATE_KEY -> "[Interface] PrivateKey changed";
                case LISTEN_PORT -> "[Interface] ListenPort changed";
                case FW_MARK -> "[Interface] FwMark changed";
            });
        }
        for (Setting s : settingChanges) {
            if (s.requiresRestart()) {
                reasons.add("[Switchyard] " + s.key() + " changed");
            }
        }
        return reasons;
    }

    @Override
    public String toString() {
        return "ConfigDiff[+" + added.size() + " peers, -" + removed.size() + " peers, ~" + changed.size()
                + " peers, " + unchanged + " unchanged, interface " + interfaceChanges + ", settings " + settingChanges
                + (requiresRestart() ? ", restart required" : "") + "]";
    }
}
