package io.switchyard.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Collectors;

/**
 * Prints a {@link Config} in canonical form: {@code [Interface]}, then {@code [Switchyard]} with
 * only the settings that differ from their defaults (the section is left out when none do), then
 * one {@code [Peer]} per peer in order. Keys in their documented spelling, {@code " = "} between
 * key and value, AllowedIPs on one line joined by {@code ", "}, host bits cleared, IPv6 in RFC 5952
 * form. Secrets that came from a file are written as the file reference, not inline.
 *
 * <p>Contract: {@code parse(write(c)).config().equals(c)} for every config {@code c} whose key
 * files still hold the same keys, and {@code write(parse(write(c)).config())} equals
 * {@code write(c)}.
 */
public final class ConfigWriter {
    private ConfigWriter() {}

    /** The canonical text of {@code config}. */
    public static String write(Config config) {
        var sb = new StringBuilder(256 + 160 * config.peers().size());
        InterfaceConfig i = config.iface();
        sb.append("[Interface]\n");
        if (i.privateKeyFile().isPresent()) {
            line(sb, "PrivateKeyFile", i.privateKeyFile().get().toString());
        } else {
            line(sb, "PrivateKey", i.privateKey().toBase64());
        }
        if (i.listenPort() != 0) {
            line(sb, "ListenPort", Integer.toString(i.listenPort()));
        }
        if (i.fwMark() != 0) {
            line(sb, "FwMark", "0x" + Long.toHexString(i.fwMark()));
        }
        for (InterfaceConfig.WgQuickSetting s : i.wgQuickSettings()) {
            line(sb, s.key(), s.value());
        }
        RouterSettings settings = config.settings();
        boolean header = false;
        for (Setting s : Setting.values()) {
            if (settings.isDefault(s)) {
                continue;
            }
            if (!header) {
                sb.append("\n[Switchyard]\n");
                header = true;
            }
            line(sb, s.key(), settings.text(s));
        }
        for (PeerConfig p : config.peers()) {
            sb.append("\n[Peer]\n");
            line(sb, "PublicKey", p.publicKey().toBase64());
            if (p.presharedKeyFile().isPresent()) {
                line(sb, "PresharedKeyFile", p.presharedKeyFile().get().toString());
            } else if (p.presharedKey().isPresent()) {
                line(sb, "PresharedKey", p.presharedKey().get().toBase64());
            }
            if (!p.allowedIps().isEmpty()) {
                line(sb, "AllowedIPs", p.allowedIps().stream().map(IpPrefix::toString).collect(Collectors.joining(", ")));
            }
            p.endpoint().ifPresent(e -> line(sb, "Endpoint", e.toString()));
            if (p.persistentKeepalive() != 0) {
                line(sb, "PersistentKeepalive", Integer.toString(p.persistentKeepalive()));
            }
        }
        return sb.toString();
    }

    /**
     * Writes {@code config} to {@code file} atomically (a temporary file in the same directory,
     * mode 0600, then a rename), so a watcher never sees half a file.
     */
    public static void write(Config config, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: nothing to tighten
            }
            Files.writeString(tmp, write(config), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append(" = ").append(value).append('\n');
    }
}
