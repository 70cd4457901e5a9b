package io.switchyard.bench.crypto;

import io.switchyard.wireguard.crypto.X25519;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One X25519 shared-secret computation: ours ({@link X25519#sharedSecret}, Bouncy Castle's
 * RFC 7748 code) against the JDK's XDH {@code KeyAgreement} (baseline; keys decoded once in
 * setup, each op does init + doPhase + generateSecret as a handshake would).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class X25519Bench {
    private byte[] privateKey;
    private byte[] peerPublic;
    private PrivateKey jdkPrivate;
    private PublicKey jdkPeer;
    private KeyAgreement agreement;

    @Setup
    public void setup() throws Exception {
        privateKey = X25519.generatePrivateKey();
        peerPublic = X25519.publicKey(X25519.generatePrivateKey());
        KeyFactory kf = KeyFactory.getInstance("XDH");
        jdkPrivate = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
        byte[] u = peerPublic.clone();
        for (int i = 0; i < 16; i++) { // little-endian u-coordinate to a BigInteger
            byte t = u[i];
            u[i] = u[31 - i];
            u[31 - i] = t;
        }
        jdkPeer = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, u)));
        agreement = KeyAgreement.getInstance("XDH");
    }

    @Benchmark
    public byte[] ours() {
        return X25519.sharedSecret(privateKey, peerPublic);
    }

    @Benchmark
    public byte[] jdkXdh() throws Exception {
        agreement.init(jdkPrivate);
        agreement.doPhase(jdkPeer, true);
        return agreement.generateSecret();
    }
}
