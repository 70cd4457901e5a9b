package io.switchyard.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses wg-quick style configuration files with Switchyard's {@code [Switchyard]} section.
 *
 * <p>The grammar is line based, as in {@code wg(8)} and {@code wg-quick(8)}: {@code #} starts a
 * comment that runs to the end of the line; blank lines are skipped; {@code [Section]} headers and
 * {@code Key = Value} lines, section names and keys case-insensitive, spaces around {@code =} and
 * list commas ignored. Repeated {@code AllowedIPs} lines accumulate; any other key given twice in a
 * section is an error.
 *
 * <p>The parser never stops at the first problem: it reads the whole file, collects every error
 * and warning with its line and column, and then either returns the configuration with its
 * warnings or throws one {@link ConfigException} listing all of them. Nothing here resolves host
 * names; the only I/O besides the file itself is reading {@code PrivateKeyFile} /
 * {@code PresharedKeyFile} references (resolved against the config file's directory).
 *
 * <p>Secret values never appear in messages: a bad private or preshared key is described by its
 * length, not echoed.
 *
 * <p>Why one file of about 800 lines: one grammar, one pass and one error report; the sections' key
 * handlers share the run's problem list and positions, and splitting them would scatter the grammar
 * without making any part reusable.
 */
public final class ConfigParser {
    /** Files larger than this are refused unread (a 100k-peer file is about 17 MB). */
    public static final int MAX_FILE_BYTES = 256 << 20;
    /** Further problems past this many are summarized in one line. */
    static final int MAX_PROBLEMS = 200;
    private static final int MAX_KEY_FILE_BYTES = 4096;

    private static final Set<String> WG_QUICK_KEYS =
            Set.of("Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig");
    private static final List<String> INTERFACE_KEYS = List.of("PrivateKey", "PrivateKeyFile", "ListenPort", "FwMark");
    private static final List<String> PEER_KEYS = List.of(
            "PublicKey", "PresharedKey", "PresharedKeyFile", "AllowedIPs", "Endpoint", "PersistentKeepalive");
    private static final List<String> SECTIONS = List.of("Interface", "Peer", "Switchyard");

    private ConfigParser() {}

    /**
     * Reads and parses {@code file}; the interface name is the file name without {@code .conf}.
     * Also warns when the file holds a secret inline and is readable by group or others.
     */
    public static ParsedConfig parse(Path file) throws ConfigException {
        return parse(file, read(file));
    }

    /** The file's bytes (at most one more than {@link #MAX_FILE_BYTES}), or its read error. */
    static byte[] read(Path file) throws ConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(Problem.error(file.toString(), 0, 0, "no such file")));
        } catch (IOException | SecurityException e) {
            throw new ConfigException(List.of(Problem.error(file.toString(), 0, 0, "cannot read: " + e)));
        }
    }

    /** Parses bytes already read from {@code file}. */
    static ParsedConfig parse(Path file, byte[] bytes) throws ConfigException {
        Path dir = file.toAbsolutePath().getParent();
        return new Run(file.toString(), interfaceName(file.getFileName().toString()), dir, file).parse(bytes);
    }

    /**
     * Parses {@code text} as if read from a file named {@code source}; key file references resolve
     * against {@code baseDir}.
     */
    public static ParsedConfig parse(String source, String text, Path baseDir) throws ConfigException {
        return parse(source, text.getBytes(StandardCharsets.UTF_8), baseDir);
    }

    /** Parses raw file bytes (UTF-8) as if read from a file named {@code source}. */
    public static ParsedConfig parse(String source, byte[] bytes, Path baseDir) throws ConfigException {
        String fileName = source.substring(source.lastIndexOf('/') + 1);
        return new Run(source, interfaceName(fileName), baseDir, null).parse(bytes);
    }

    static String interfaceName(String fileName) {
        return fileName.endsWith(".conf") ? fileName.substring(0, fileName.length() - 5) : fileName;
    }

    /** Case-insensitive edit distance suggestion among {@code candidates}, or null. */
    static String didYouMean(String word, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(1, Math.min(3, word.length() / 3));
        return bestDistance <= allowed ? best : null;
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3 || a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Quotes a found value for a message: control characters escaped, long values cut. */
    static String quote(String s) {
        var sb = new StringBuilder("\"");
        int limit = Math.min(s.length(), 60);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (s.length() > limit) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }

    /** One value and where it starts. */
    private record At(String text, int line, int column) {}

    /** A line of this section could not be read at all; its "missing key" checks are skipped. */
    private abstract static class Section {
        boolean damaged;
    }

    private static final class InterfaceSection extends Section {
        final int line;
        final Map<String, Integer> seen = new HashMap<>();
        Key32 privateKey;
        Path privateKeyFile;
        int listenPort;
        long fwMark;
        final List<InterfaceConfig.WgQuickSetting> wgQuick = new ArrayList<>();

        InterfaceSection(int line) {
            this.line = line;
        }
    }

    private static final class PeerSection extends Section {
        final int line;
        final Map<String, Integer> seen = new HashMap<>();
        Key32 publicKey;
        Key32 presharedKey;
        Path presharedKeyFile;
        final LinkedHashMap<IpPrefix, At> allowed = new LinkedHashMap<>();
        Endpoint endpoint;
        Integer keepalive;

        PeerSection(int line) {
            this.line = line;
        }
    }

    /** Settings that no longer exist, by lower-case key: a file with one still loads, with a warning saying why. */
    private static final Map<String, String> RETIRED_SETTINGS = Map.of("mailboxcapacity",
            "MailboxCapacity is no longer used: a peer's queue is bounded in packet buffers (a quarter of PacketBuffers)");

    private static final class SwitchyardSection {
        final Map<String, Integer> seen = new HashMap<>();
        final EnumMap<Setting, String> values = new EnumMap<>(Setting.class);
        final EnumMap<Setting, At> at = new EnumMap<>(Setting.class);
    }

    /** One parse: the problems found so far and the sections being filled. */
    private static final class Run {
        final String source;
        final String name;
        final Path baseDir;
        final Path file;
        final List<Problem> problems = new ArrayList<>();
        int errorCount;
        int dropped; // problems past MAX_PROBLEMS
        boolean inlineSecret;
        final Set<String> warnedWgQuick = new java.util.HashSet<>();

        InterfaceSection iface;
        SwitchyardSection switchyard;
        final List<PeerSection> peers = new ArrayList<>();
        Object current; // the section lines go to; a String for an unknown section, null before any

        Run(String source, String name, Path baseDir, Path file) {
            this.source = source;
            this.name = name;
            this.baseDir = baseDir;
            this.file = file;
        }

        void error(int line, int column, String message) {
            errorCount++;
            add(Problem.error(source, line, column, message));
        }

        void warn(int line, int column, String message) {
            add(Problem.warning(source, line, column, message));
        }

        private void add(Problem p) {
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(p);
            } else {
                dropped++;
            }
        }

        ParsedConfig parse(byte[] bytes) throws ConfigException {
            if (bytes.length > MAX_FILE_BYTES) {
                throw new ConfigException(List.of(Problem.error(source, 0, 0,
                        "file is larger than " + MAX_FILE_BYTES + " bytes")));
            }
            // Malformed UTF-8 decodes to U+FFFD, which no valid line contains; reported per line.
            String text = new String(bytes, StandardCharsets.UTF_8);
            int lineNo = 0;
            int start = 0;
            if (text.startsWith("\uFEFF")) {
                start = 1;
            }
            while (start <= text.length()) {
                int end = text.indexOf('\n', start);
                if (end < 0) {
                    end = text.length();
                }
                lineNo++;
                String line = text.substring(start, end);
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                line(lineNo, line);
                start = end + 1;
            }
            return finish();
        }

        private void line(int lineNo, String raw) {
            int hash = raw.indexOf('#');
            String line = hash >= 0 ? raw.substring(0, hash) : raw;
            int first = skipSpace(line, 0);
            if (first == line.length()) {
                return;
            }
            int bad = line.indexOf('\uFFFD');
            if (bad >= 0) {
                error(lineNo, bad + 1, "found bytes that are not UTF-8, expected text");
                if (current instanceof Section s) {
                    s.damaged = true;
                }
                return;
            }
            int last = trimEnd(line);
            if (line.charAt(first) == '[') {
                section(lineNo, first, line.substring(first, last));
                return;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                error(lineNo, first + 1, "found " + quote(line.substring(first, last))
                        + ", expected Key = Value or a [Section] header");
                return;
            }
            String key = line.substring(first, Math.max(first, trimEnd(line.substring(0, eq))));
            int valueStart = skipSpace(line, eq + 1);
            String value = valueStart < last ? line.substring(valueStart, last) : "";
            At at = new At(value, lineNo, valueStart + 1);
            if (key.isEmpty()) {
                error(lineNo, first + 1, "found '=' without a key, expected Key = Value");
                return;
            }
            if (!key.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                error(lineNo, first + 1, "found key " + quote(key) + ", expected a key made of letters and digits");
                return;
            }
            switch (current) {
                case null -> error(lineNo, first + 1, "found " + quote(key)
                        + " before any section, expected [Interface], [Peer] or [Switchyard] first");
                case InterfaceSection s -> interfaceKey(s, key, lineNo, first + 1, at);
                case PeerSection p -> peerKey(p, key, lineNo, first + 1, at);
                case SwitchyardSection s -> switchyardKey(s, key, lineNo, first + 1, at);
                default -> { } // keys of an unknown section: the header already got its error
            }
        }

        private void section(int lineNo, int column, String header) {
            if (!header.endsWith("]")) {
                error(lineNo, column + 1, "found " + quote(header) + ", expected a section header like [Peer]");
                current = "?";
                return;
            }
            String sec = header.substring(1, header.length() - 1).strip();
            switch (sec.toLowerCase(Locale.ROOT)) {
                case "interface" -> {
                    if (iface != null) {
                        error(lineNo, column + 1, "found a second [Interface] section, expected one (the first is on line "
                                + iface.line + ")");
                        current = "?";
                    } else {
                        iface = new InterfaceSection(lineNo);
                        current = iface;
                    }
                }
                case "peer" -> {
                    PeerSection p = new PeerSection(lineNo);
                    peers.add(p);
                    current = p;
                }
                case "switchyard" -> {
                    if (switchyard != null) {
                        error(lineNo, column + 1, "found a second [Switchyard] section, expected one");
                        current = "?";
                    } else {
                        switchyard = new SwitchyardSection();
                        current = switchyard;
                    }
                }
                default -> {
                    String hint = didYouMean(sec, SECTIONS);
                    error(lineNo, column + 1, "found section " + quote(header)
                            + (hint != null ? ", did you mean [" + hint + "]?" : ", expected [Interface], [Peer] or [Switchyard]"));
                    current = "?";
                }
            }
        }

        /** False (and an error) if the key was already given in this section. */
        private boolean once(Map<String, Integer> seen, String canonical, int line, int column) {
            Integer before = seen.putIfAbsent(canonical, line);
            if (before != null) {
                error(line, column, canonical + " is already set on line " + before + ", expected it once per section");
                return false;
            }
            return true;
        }

        private void unknownKey(String key, String section, List<String> known, int line, int column) {
            String hint = didYouMean(key, known);
            String elsewhere = null;
            for (String other : SECTIONS) {
                if (!other.equals(section) && keysOf(other).stream().anyMatch(k -> k.equalsIgnoreCase(key))) {
                    elsewhere = other;
                }
            }
            String msg = "found unknown key " + quote(key) + " in [" + section + "]";
            if (elsewhere != null) {
                msg += ", expected it in [" + elsewhere + "]";
            } else if (hint != null) {
                msg += ", did you mean " + hint + "?";
            } else {
                msg += ", expected one of " + String.join(", ", known);
            }
            error(line, column, msg);
        }

        private static List<String> keysOf(String section) {
            return switch (section) {
                case "Interface" -> {
                    var all = new ArrayList<>(INTERFACE_KEYS);
                    all.addAll(WG_QUICK_KEYS);
                    yield all;
                }
                case "Peer" -> PEER_KEYS;
                default -> java.util.Arrays.stream(Setting.values()).map(Setting::key).toList();
            };
        }

        private boolean validAddresses(At v) {
            boolean ok = true;
            for (String part : v.text().split(",")) {
                String a = part.strip();
                if (a.isEmpty()) {
                    continue;
                }
                try {
                    InterfaceAddress.parse(a);
                } catch (IllegalArgumentException e) {
                    error(v.line(), v.column(), "Address: found " + quote(a) + ", expected " + InterfaceAddress.EXPECTED);
                    ok = false;
                }
            }
            return ok;
        }

        private static String canonical(String key, List<String> known) {
            for (String k : known) {
                if (k.equalsIgnoreCase(key)) {
                    return k;
                }
            }
            return null;
        }

        private void interfaceKey(InterfaceSection s, String key, int line, int column, At v) {
            String wgq = canonical(key, List.copyOf(WG_QUICK_KEYS));
            if (wgq != null) {
                if (wgq.equals("Address")) {
                    // Honoured: the hub's own overlay addresses. Each entry must parse.
                    if (!validAddresses(v)) {
                        return;
                    }
                } else if (wgq.equals("MTU")) {
                    // Honoured: the inner MTU of the hub (InterfaceConfig.mtu()).
                    if (InterfaceConfig.parseMtu(v.text().strip()) < 0) {
                        error(v.line(), v.column(), "MTU: found " + quote(v.text().strip()) + ", expected "
                                + InterfaceConfig.MTU_EXPECTED);
                        return;
                    }
                } else if (warnedWgQuick.add(wgq)) {
                    warn(line, column, wgq + " is only used by wg-quick; Switchyard ignores it");
                }
                s.wgQuick.add(new InterfaceConfig.WgQuickSetting(wgq, v.text()));
                return;
            }
            String k = canonical(key, INTERFACE_KEYS);
            if (k == null) {
                unknownKey(key, "Interface", keysOf("Interface"), line, column);
                return;
            }
            if (!once(s.seen, k, line, column)) {
                return;
            }
            switch (k) {
                case "PrivateKey" -> {
                    inlineSecret = true;
                    s.privateKey = secret(k, v);
                }
                case "PrivateKeyFile" -> {
                    s.privateKeyFile = path(k, v);
                    if (s.privateKeyFile != null) {
                        s.privateKey = keyFile(k, s.privateKeyFile, v);
                    }
                }
                case "ListenPort" -> {
                    long p = number(v.text());
                    if (p < 0 || p > 65535) {
                        error(v.line(), v.column(), "ListenPort: found " + quote(v.text()) + ", expected a port number 0..65535");
                    } else {
                        s.listenPort = (int) p;
                    }
                }
                case "FwMark" -> {
                    long m = v.text().equalsIgnoreCase("off") ? 0 : number(v.text());
                    if (m < 0 || m > 0xffff_ffffL) {
                        error(v.line(), v.column(), "FwMark: found " + quote(v.text())
                                + ", expected off or a 32-bit number (decimal or 0x hex)");
                    } else {
                        s.fwMark = m;
                    }
                }
                default -> throw new AssertionError(k);
            }
        }

        private void peerKey(PeerSection p, String key, int line, int column, At v) {
            String k = canonical(key, PEER_KEYS);
            if (k == null) {
                unknownKey(key, "Peer", PEER_KEYS, line, column);
                return;
            }
            if (!k.equals("AllowedIPs") && !once(p.seen, k, line, column)) {
                return;
            }
            switch (k) {
                case "PublicKey" -> {
                    try {
                        p.publicKey = Key32.fromBase64(v.text());
                    } catch (IllegalArgumentException e) {
                        error(v.line(), v.column(), "PublicKey: found " + quote(v.text()) + ", expected " + Key32.EXPECTED);
                    }
                }
                case "PresharedKey" -> {
                    inlineSecret = true;
                    p.presharedKey = secret(k, v);
                }
                case "PresharedKeyFile" -> {
                    p.presharedKeyFile = path(k, v);
                    if (p.presharedKeyFile != null) {
                        p.presharedKey = keyFile(k, p.presharedKeyFile, v);
                    }
                }
                case "AllowedIPs" -> allowedIps(p, v);
                case "Endpoint" -> {
                    try {
                        p.endpoint = Endpoint.parse(v.text());
                    } catch (IllegalArgumentException e) {
                        error(v.line(), v.column(), "Endpoint: found " + quote(v.text()) + ", expected " + Endpoint.EXPECTED);
                    }
                }
                case "PersistentKeepalive" -> {
                    long n = v.text().equalsIgnoreCase("off") ? 0 : decimal(v.text());
                    if (n < 0 || n > 65535) {
                        error(v.line(), v.column(), "PersistentKeepalive: found " + quote(v.text())
                                + ", expected off or seconds 0..65535");
                    } else {
                        p.keepalive = (int) n;
                    }
                }
                default -> throw new AssertionError(k);
            }
        }

        private void allowedIps(PeerSection p, At v) {
            if (v.text().isEmpty()) {
                return; // "AllowedIPs =" is legal and adds nothing, as in wg(8)
            }
            int pos = 0;
            String t = v.text();
            while (pos <= t.length()) {
                int comma = t.indexOf(',', pos);
                int end = comma < 0 ? t.length() : comma;
                int s = skipSpace(t, pos);
                String item = s < end ? t.substring(s, trimEnd(t.substring(0, end))) : "";
                int column = v.column() + Math.min(s, end);
                if (item.isEmpty()) {
                    error(v.line(), column, "AllowedIPs: found an empty item, expected " + IpPrefix.EXPECTED);
                } else {
                    try {
                        IpPrefix prefix = IpPrefix.parse(item);
                        if (IpPrefix.hasHostBits(item)) {
                            warn(v.line(), column, "AllowedIPs: " + item + " has host bits set; using " + prefix);
                        }
                        p.allowed.putIfAbsent(prefix, new At(item, v.line(), column));
                    } catch (IllegalArgumentException e) {
                        error(v.line(), column, "AllowedIPs: found " + quote(item) + ", expected " + e.getMessage());
                    }
                }
                if (comma < 0) {
                    break;
                }
                pos = comma + 1;
            }
        }

        private void switchyardKey(SwitchyardSection s, String key, int line, int column, At v) {
            String retiredReason = RETIRED_SETTINGS.get(key.toLowerCase(java.util.Locale.ROOT));
            if (retiredReason != null) {
                warn(line, column, retiredReason);
                return;
            }
            Setting setting = Setting.byKey(key);
            if (setting == null) {
                unknownKey(key, "Switchyard", keysOf("Switchyard"), line, column);
                return;
            }
            if (!once(s.seen, setting.key(), line, column)) {
                return;
            }
            try {
                setting.parse(v.text());
                s.values.put(setting, v.text());
                s.at.put(setting, v);
            } catch (IllegalArgumentException e) {
                error(v.line(), v.column(), setting.key() + ": found " + quote(v.text()) + ", expected " + setting.expected());
            }
        }

        /** An inline secret; its text is never echoed. */
        private Key32 secret(String key, At v) {
            try {
                return Key32.fromBase64(v.text());
            } catch (IllegalArgumentException e) {
                error(v.line(), v.column(), key + ": found a value of " + v.text().length()
                        + " characters (not shown, it is a secret), expected " + Key32.EXPECTED);
                return null;
            }
        }

        private Path path(String key, At v) {
            if (v.text().isEmpty()) {
                error(v.line(), v.column(), key + ": found nothing, expected a file path");
                return null;
            }
            try {
                return Path.of(v.text());
            } catch (InvalidPathException e) {
                error(v.line(), v.column(), key + ": found " + quote(v.text()) + ", expected a file path");
                return null;
            }
        }

        /** Reads a key file: base64 on the first line, surrounding whitespace ignored. */
        private Key32 keyFile(String key, Path path, At v) {
            Path resolved = baseDir == null ? path : baseDir.resolve(path);
            byte[] content;
            try (InputStream in = Files.newInputStream(resolved)) {
                content = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
            } catch (NoSuchFileException e) {
                error(v.line(), v.column(), key + ": found " + quote(v.text()) + ", expected an existing file");
                return null;
            } catch (IOException | SecurityException e) {
                error(v.line(), v.column(), key + ": cannot read " + resolved + " (" + e.getClass().getSimpleName()
                        + "), expected a readable file");
                return null;
            }
            String text = new String(content, StandardCharsets.UTF_8).strip();
            Key32 k;
            try {
                k = Key32.fromBase64(text);
            } catch (IllegalArgumentException e) {
                error(v.line(), v.column(), key + ": " + resolved + " holds " + text.length()
                        + " characters (not shown, it is a secret), expected " + Key32.EXPECTED);
                return null;
            }
            String mode = groupOrOtherReadable(resolved);
            if (mode != null) {
                warn(v.line(), v.column(), key + ": " + resolved + " is readable by group or others (" + mode
                        + "); chmod 600 it");
            }
            return k;
        }

        private ParsedConfig finish() throws ConfigException {
            if (iface == null) {
                error(0, 0, "found no [Interface] section, expected one with a PrivateKey");
            } else if (iface.privateKey == null && !iface.damaged && !iface.seen.containsKey("PrivateKey")
                    && !iface.seen.containsKey("PrivateKeyFile")) {
                error(iface.line, 1, "[Interface] has no PrivateKey, expected PrivateKey or PrivateKeyFile");
            }
            if (iface != null && iface.seen.containsKey("PrivateKey") && iface.seen.containsKey("PrivateKeyFile")) {
                error(iface.seen.get("PrivateKeyFile"), 1, "PrivateKeyFile: PrivateKey is also set (line "
                        + iface.seen.get("PrivateKey") + "), expected one of the two");
            }
            for (PeerSection p : peers) {
                if (p.publicKey == null && !p.damaged && !p.seen.containsKey("PublicKey")) {
                    error(p.line, 1, "[Peer] has no PublicKey, expected every peer to name its key");
                }
                if (p.seen.containsKey("PresharedKey") && p.seen.containsKey("PresharedKeyFile")) {
                    error(p.seen.get("PresharedKeyFile"), 1, "PresharedKeyFile: PresharedKey is also set (line "
                            + p.seen.get("PresharedKey") + "), expected one of the two");
                }
            }
            List<PeerSection> merged = mergeDuplicates();
            overlaps(merged);
            if (inlineSecret && file != null) {
                String mode = groupOrOtherReadable(file);
                if (mode != null) {
                    warn(0, 0, "holds a secret key and is readable by group or others (" + mode + "); chmod 600 it");
                }
            }
            Config config = errorCount > 0 ? null : build(merged); // build may warn: before the problems are sorted
            List<Problem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
            if (dropped > 0) {
                String msg = "too many problems: " + dropped + " more not shown";
                sorted.add(errorCount > 0 ? Problem.error(source, 0, 0, msg) : Problem.warning(source, 0, 0, msg));
            }
            if (errorCount > 0) {
                throw new ConfigException(sorted);
            }
            return new ParsedConfig(source, config, sorted);
        }

        /** Peers with the same public key are merged into the first, as wg(8) would. */
        private List<PeerSection> mergeDuplicates() {
            var byKey = new LinkedHashMap<Key32, PeerSection>();
            var out = new ArrayList<PeerSection>();
            for (PeerSection p : peers) {
                if (p.publicKey == null) {
                    continue;
                }
                PeerSection first = byKey.putIfAbsent(p.publicKey, p);
                if (first == null) {
                    out.add(p);
                    continue;
                }
                warn(p.line, 1, "duplicate [Peer] " + p.publicKey + " (first on line " + first.line
                        + "); merged into it, later values win");
                if (p.presharedKey != null) {
                    first.presharedKey = p.presharedKey;
                    first.presharedKeyFile = p.presharedKeyFile;
                }
                p.allowed.forEach(first.allowed::putIfAbsent);
                if (p.endpoint != null) {
                    first.endpoint = p.endpoint;
                }
                if (p.keepalive != null) {
                    first.keepalive = p.keepalive;
                }
            }
            return out;
        }

        private record Owned(IpPrefix prefix, PeerSection peer, At at) {}

        /**
         * Warns about AllowedIPs shared between peers. CIDR prefixes either nest or are disjoint,
         * so after sorting (containers first) a stack of the prefixes enclosing the current one
         * finds every nesting in O(n log n), which matters for 100k peers.
         */
        private void overlaps(List<PeerSection> merged) {
            var all = new ArrayList<Owned>();
            for (PeerSection p : merged) {
                p.allowed.forEach((prefix, at) -> all.add(new Owned(prefix, p, at)));
            }
            all.sort(Comparator.comparing(Owned::prefix));
            var stack = new ArrayDeque<Owned>();
            for (Owned cur : all) {
                while (!stack.isEmpty() && !stack.peek().prefix().contains(cur.prefix())) {
                    stack.pop();
                }
                int looked = 0;
                for (Owned outer : stack) {
                    if (++looked > 256) {
                        break;
                    }
                    if (outer.peer() != cur.peer()) {
                        overlapWarning(outer, cur);
                        break;
                    }
                }
                stack.push(cur);
            }
        }

        private void overlapWarning(Owned outer, Owned inner) {
            Owned later = outer.at().line() > inner.at().line() ? outer : inner;
            Owned other = later == outer ? inner : outer;
            String msg = outer.prefix().equals(inner.prefix())
                    ? "AllowedIPs: " + later.prefix() + " is also claimed by peer " + other.peer().publicKey
                            + " (line " + other.at().line() + "); only one peer can own it"
                    : "AllowedIPs: " + later.prefix() + " overlaps " + other.prefix() + " of peer "
                            + other.peer().publicKey + " (line " + other.at().line() + "); the longest prefix wins";
            warn(later.at().line(), later.at().column(), msg);
        }

        private Config build(List<PeerSection> merged) {
            var wgQuick = iface.wgQuick;
            var ic = new InterfaceConfig(iface.privateKey, Optional.ofNullable(iface.privateKeyFile),
                    iface.listenPort, iface.fwMark, wgQuick);
            RouterSettings settings = RouterSettings.defaults();
            if (switchyard != null) {
                for (var e : switchyard.values.entrySet()) {
                    settings = settings.with(e.getKey(), e.getValue());
                }
                At zeroCopy = switchyard.at.get(Setting.ZERO_COPY);
                if (zeroCopy != null && settings.zeroCopy() && !settings.connectedSockets()) {
                    // MSG_ZEROCOPY is used on the peers' connected sockets only: say so rather than do nothing.
                    warn(zeroCopy.line(), zeroCopy.column(), "ZeroCopy = on does nothing without ConnectedSockets = on");
                }
            }
            var peerConfigs = new ArrayList<PeerConfig>(merged.size());
            for (PeerSection p : merged) {
                peerConfigs.add(new PeerConfig(p.publicKey, Optional.ofNullable(p.presharedKey),
                        Optional.ofNullable(p.presharedKeyFile), List.copyOf(p.allowed.keySet()),
                        Optional.ofNullable(p.endpoint), p.keepalive == null ? 0 : p.keepalive));
            }
            return new Config(name, ic, settings, peerConfigs);
        }
    }

    /** "0644"-style mode if group or others may read the file, null otherwise or if not POSIX. */
    static String groupOrOtherReadable(Path file) {
        try {
            var view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (view == null) {
                return null;
            }
            Set<PosixFilePermission> perms = view.readAttributes().permissions();
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                return PosixFilePermissions.toString(perms);
            }
            return null;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** Decimal or 0x hex, at most 10 digits; -1 if not a number. */
    private static long number(String t) {
        if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X"))) {
            String h = t.substring(2);
            if (h.length() > 8 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
                return -1;
            }
            return Long.parseLong(h, 16);
        }
        return decimal(t);
    }

    private static long decimal(String t) {
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(t);
    }

    /** Blanks are what {@link String#strip()} removes, so values round-trip through the model. */
    private static int skipSpace(String s, int from) {
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int trimEnd(String s) {
        int i = s.length();
        while (i > 0 && Character.isWhitespace(s.charAt(i - 1))) {
            i--;
        }
        return i;
    }
}
