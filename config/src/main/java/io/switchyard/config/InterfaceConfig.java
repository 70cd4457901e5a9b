package io.switchyard.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [Interface]} section.
 *
 * @param privateKey the resolved private key (read from {@code privateKeyFile} when that is set)
 * @param privateKeyFile where the key came from, if {@code PrivateKeyFile} was used; the writer
 *     writes the reference back rather than the secret
 * @param listenPort UDP port, 0 for "any free port" (the same as leaving it out)
 * @param fwMark SO_MARK for outgoing packets, 0 for off; an unsigned 32-bit value
 * @param wgQuickSettings keys only wg-quick acts on (Address, DNS, MTU, Table, Pre/PostUp/Down,
 *     SaveConfig): kept so the file can be written back whole, ignored by the router
 */
public record InterfaceConfig(
        Key32 privateKey, Optional<Path> privateKeyFile, int listenPort, long fwMark,
        List<WgQuickSetting> wgQuickSettings) {

    /** A wg-quick-only key and its value, exactly as written (comments stripped). */
    public record WgQuickSetting(String key, String value) {
        public WgQuickSetting {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            // the writer must be able to print it back: no comment start, no line break, no
            // surrounding blanks (the parser strips those)
            if (value.indexOf('#') >= 0 || value.indexOf('\n') >= 0 || !value.strip().equals(value)) {
                throw new IllegalArgumentException("value cannot be written to a config file: " + value);
            }
        }
    }

    public InterfaceConfig {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(privateKeyFile, "privateKeyFile");
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listenPort " + listenPort + " out of range 0..65535");
        }
        if (fwMark < 0 || fwMark > 0xffff_ffffL) {
            throw new IllegalArgumentException("fwMark " + fwMark + " is not an unsigned 32-bit value");
        }
        wgQuickSettings = List.copyOf(wgQuickSettings);
    }

    /**
     * The interface's own overlay addresses: every {@code Address} entry (wg-quick's key, which
     * Switchyard honours: the hub answers on these itself), in file order. Empty if none.
     */
    public List<InterfaceAddress> addresses() {
        List<InterfaceAddress> out = new java.util.ArrayList<>();
        for (WgQuickSetting s : wgQuickSettings) {
            if (s.key().equals("Address")) {
                for (String part : s.value().split(",")) {
                    if (!part.isBlank()) {
                        out.add(InterfaceAddress.parse(part.strip()));
                    }
                }
            }
        }
        return out;
    }

    /** What an {@code MTU} value must be. */
    public static final String MTU_EXPECTED = "an integer 576..65535";

    /** The MTU {@code text} gives, or -1 if it is not one ({@link #MTU_EXPECTED}). */
    static int parseMtu(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int v = Integer.parseInt(text);
        return v >= 576 && v <= 65535 ? v : -1;
    }

    /**
     * The {@code MTU} entry (wg-quick's key, which Switchyard honours as the hub's inner MTU: the
     * most a packet it originates or forwards may carry, see docs/config.md), or empty if none.
     */
    public java.util.OptionalInt mtu() {
        for (WgQuickSetting s : wgQuickSettings) {
            if (s.key().equals("MTU")) {
                int v = parseMtu(s.value().strip());
                if (v > 0) {
                    return java.util.OptionalInt.of(v);
                }
            }
        }
        return java.util.OptionalInt.empty();
    }

    /** A copy with {@code addresses} as its only {@code Address} entry (replacing any). */
    public InterfaceConfig withAddresses(List<InterfaceAddress> addresses) {
        List<WgQuickSetting> rest = new java.util.ArrayList<>();
        for (WgQuickSetting s : wgQuickSettings) {
            if (!s.key().equals("Address")) {
                rest.add(s);
            }
        }
        if (!addresses.isEmpty()) {
            rest.add(0, new WgQuickSetting("Address", String.join(", ", addresses.stream().map(Object::toString).toList())));
        }
        return new InterfaceConfig(privateKey, privateKeyFile, listenPort, fwMark, rest);
    }

    /** An interface with just a private key: random port, no fwmark. */
    public static InterfaceConfig of(Key32 privateKey) {
        return new InterfaceConfig(privateKey, Optional.empty(), 0, 0, List.of());
    }

    @Override
    public String toString() {
        return "InterfaceConfig[privateKey=(redacted)" + privateKeyFile.map(p -> " from " + p).orElse("")
                + ", listenPort=" + listenPort + ", fwMark=0x" + Long.toHexString(fwMark)
                + ", wgQuickSettings=" + wgQuickSettings + "]";
    }
}
