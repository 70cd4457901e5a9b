package io.switchyard.wireguard.noise;

/** A handshake-family message whose type, reserved bytes or length are wrong. Stackless: bad input is common. */
public final class MalformedMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message, null, false, false);
    }
}
