package io.switchyard.wireguard.crypto;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 through the JDK's {@code XDH} provider, the alternative measured against Bouncy Castle
 * (kept in the test tree: the comparison test and the benchmark use it, production does not).
 */
public final class JdkX25519 {
    private JdkX25519() {}

    public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey) throws Exception {
        KeyFactory kf = KeyFactory.getInstance("XDH");
        PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
        PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, littleEndian(publicKey)));
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(priv);
        ka.doPhase(pub, true);
        return ka.generateSecret(); // throws if the result is all zeros
    }

    public static byte[] publicKey(byte[] privateKey) throws Exception {
        byte[] base = new byte[32];
        base[0] = 9;
        return sharedSecret(privateKey, base);
    }

    private static BigInteger littleEndian(byte[] u) {
        byte[] be = new byte[u.length];
        for (int i = 0; i < u.length; i++) {
            be[i] = u[u.length - 1 - i];
        }
        be[0] &= 0x7f; // RFC 7748: the top bit of u is ignored
        return new BigInteger(1, be);
    }
}
