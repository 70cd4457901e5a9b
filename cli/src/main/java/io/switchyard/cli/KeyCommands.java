package io.switchyard.cli;

import io.switchyard.wireguard.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code genkey}, {@code genpsk} and {@code pubkey}: the same base64 keys, read and written the
 * same way, as {@code wg genkey}, {@code wg genpsk} and {@code wg pubkey}, so keys move freely
 * between the two tools.
 */
final class KeyCommands {
    private KeyCommands() {}

    /** The longest stdin {@code pubkey} reads: a key plus generous whitespace. */
    private static final int MAX_INPUT = 1024;

    @Command(name = "genkey", description = "Print a new private key (base64), like `wg genkey`.")
    static final class GenKey implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(Keys.toBase64(Keys.generatePrivateKey()));
            return 0;
        }
    }

    @Command(name = "genpsk", description = "Print a new preshared key (base64), like `wg genpsk`.")
    static final class GenPsk implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(Keys.toBase64(Keys.generatePresharedKey()));
            return 0;
        }
    }

    @Command(name = "pubkey",
            description = "Read a private key (base64) on stdin, print its public key, like `wg pubkey`.")
    static final class PubKey implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            return pubkey(System.in, System.out, System.err);
        }
    }

    static int pubkey(InputStream in, PrintStream out, PrintStream err) throws IOException {
        byte[] raw = in.readNBytes(MAX_INPUT + 1);
        if (raw.length > MAX_INPUT) {
            err.println("switchyard pubkey: input is longer than a key (" + MAX_INPUT + "+ bytes)");
            return 1;
        }
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        byte[] key;
        try {
            key = Keys.fromBase64(text);
        } catch (IllegalArgumentException e) {
            err.println("switchyard pubkey: not a private key: " + e.getMessage());
            return 1;
        }
        out.println(Keys.toBase64(Keys.publicKey(key)));
        return 0;
    }
}
