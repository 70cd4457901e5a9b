package io.switchyard.bench.flood;

import io.switchyard.wireguard.Keys;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.crypto.Blake2s;
import io.switchyard.wireguard.noise.Environment;
import io.switchyard.wireguard.noise.HandshakeException;
import io.switchyard.wireguard.noise.Messages;
import io.switchyard.wireguard.noise.Noise;
import io.switchyard.wireguard.noise.StaticIdentity;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The datagrams a flooder sends, made before its window opens so that the send loop only copies
 * addresses into {@code sendmmsg} batches (a pool of a few thousand, sent round and round). No
 * sockets here: every factory is a pure function of its random source, tested without root.
 *
 * <p>Sizes are UDP payload bytes. {@link #GARBAGE_SIZES} sit on both sides of every boundary the
 * hub's classifier has (4 for the type word, 32 transport minimum, 64 cookie reply, 92 response,
 * 148 initiation) plus one datagram above the veth's MTU (1,500 bytes of payload: the flooder's
 * kernel fragments it, so the hub's kernel reassembles it). Initiations are real Noise
 * initiations from static keys the hub does not know, so the hub pays what a real attacker costs
 * it once mac1 verifies: two Diffie-Hellman operations and a failed peer lookup.
 */
final class FloodPackets {
    private FloodPackets() {}

    static final int[] GARBAGE_SIZES = {0, 1, 3, 4, 31, 32, 63, 64, 91, 92, 147, 148, 149, 1500};
    /** Type-4 sizes: the minimum, small, medium and full-MTU transport messages (1,452 = 1,420 inner + 32). */
    static final int[] TRANSPORT_SIZES = {32, 48, 96, 160, 576, 1232, 1452};
    /** Bytes per datagram in a {@link Pool}: room for the largest one. */
    static final int SLOT = 2048;
    /** Distinct unknown static keys behind the initiations (each one costs three X25519 here). */
    static final int INITIATION_KEYS = 64;

    /** Datagrams in native memory, {@link #SLOT} bytes apart, for {@code sendmmsg}. */
    record Pool(MemorySegment bytes, int[] lengths) {
        int size() {
            return lengths.length;
        }

        long offset(int i) {
            return (long) i * SLOT;
        }
    }

    static Pool pool(List<byte[]> packets, Arena arena) {
        MemorySegment bytes = arena.allocate((long) packets.size() * SLOT, 64);
        int[] lengths = new int[packets.size()];
        for (int i = 0; i < packets.size(); i++) {
            byte[] p = packets.get(i);
            if (p.length > SLOT) {
                throw new IllegalArgumentException("datagram of " + p.length + " bytes exceeds a slot");
            }
            MemorySegment.copy(MemorySegment.ofArray(p), 0, bytes, (long) i * SLOT, p.length);
            lengths[i] = p.length;
        }
        return new Pool(bytes, lengths);
    }

    /**
     * {@code count} datagrams of {@link #GARBAGE_SIZES}, in order, round and round. Random bytes;
     * from 4 bytes up every other one starts with a valid type word (1 to 4, reserved bytes zero),
     * so that its size, not its first byte, is what makes it wrong.
     */
    static List<byte[]> garbage(int count, RandomGenerator rnd) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] p = new byte[GARBAGE_SIZES[i % GARBAGE_SIZES.length]];
            rnd.nextBytes(p);
            if (p.length >= 4 && (i / GARBAGE_SIZES.length) % 2 == 1) {
                Messages.writeInt(p, Messages.TYPE, 1 + rnd.nextInt(4));
            }
            out.add(p);
        }
        return out;
    }

    /**
     * {@code count} initiations to {@code hubPublic}: {@link #INITIATION_KEYS} real ones from
     * fresh unknown keys, each reused with a random sender index and its mac1 computed again
     * (the sender index is outside the Noise transcript, so the message stays a valid
     * initiation); mac2 is zeros, as from a sender that holds no cookie.
     */
    static List<byte[]> initiations(int count, byte[] hubPublic, RandomGenerator rnd) {
        List<byte[]> bases = new ArrayList<>();
        for (int k = 0; k < Math.min(count, INITIATION_KEYS); k++) {
            Noise noise = new Noise(new StaticIdentity(Keys.generatePrivateKey()), Environment.system());
            try {
                bases.add(noise.createInitiation(noise.newPeer(hubPublic, null), rnd.nextInt()));
            } catch (HandshakeException e) {
                throw new IllegalStateException("cannot initiate to the hub's key", e);
            }
        }
        byte[] mac1Key = Blake2s.hash(WireGuard.LABEL_MAC1, hubPublic);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] m = bases.get(i % bases.size()).clone();
            Messages.writeInt(m, Messages.INITIATION_SENDER, rnd.nextInt());
            byte[] mac1 = Blake2s.mac(mac1Key, m, 0, Messages.INITIATION_MAC1);
            System.arraycopy(mac1, 0, m, Messages.INITIATION_MAC1, WireGuard.MAC_SIZE);
            java.util.Arrays.fill(m, Messages.INITIATION_MAC2, m.length, (byte) 0);
            out.add(m);
        }
        return out;
    }

    /**
     * {@code count} type-4 messages of {@link #TRANSPORT_SIZES} (in order, round and round) with
     * random counters and bodies, at {@code receiver} (a live index, as the hub's little-endian
     * wire word) or, when it is null, at random indexes.
     */
    static List<byte[]> transport(int count, Integer receiver, RandomGenerator rnd) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] p = new byte[TRANSPORT_SIZES[i % TRANSPORT_SIZES.length]];
            rnd.nextBytes(p);
            Messages.writeInt(p, Messages.TYPE, WireGuard.MESSAGE_TRANSPORT_TYPE);
            Messages.writeInt(p, Messages.TRANSPORT_RECEIVER, receiver != null ? receiver : rnd.nextInt());
            out.add(p);
        }
        return out;
    }

    /** {@code count} cookie replies (64 bytes: random receiver index, nonce and sealed cookie). */
    static List<byte[]> cookieReplies(int count, RandomGenerator rnd) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] p = new byte[WireGuard.MESSAGE_COOKIE_REPLY_SIZE];
            rnd.nextBytes(p);
            Messages.writeInt(p, Messages.TYPE, WireGuard.MESSAGE_COOKIE_REPLY_TYPE);
            out.add(p);
        }
        return out;
    }
}
