package io.switchyard.io;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;

/**
 * UDP GSO on one socket, and what every transport does when a train fails. Written once for the
 * epoll and the io_uring sockets:
 * <ul>
 *   <li>EIO or EINVAL: the kernel or the device cannot segment (wireguard-go and quic-go met
 *       both). GSO goes off for this socket for good (logged once, counted in
 *       {@link IoCounter#GSO_DOWNGRADES}) and the same train is resent datagram by datagram.</li>
 *   <li>EMSGSIZE: a segment plus the IP and UDP headers exceeds the path MTU, so the kernel may
 *       not segment without fragments (an IPv6 destination behind a 1,500-byte link gets 1,456-byte
 *       segments from a 1,440-MTU client, say). GSO stays on: only this train is resent datagram
 *       by datagram, which the kernel fragments where the family allows, and a datagram still
 *       refused is a {@link SendRefusal#TOO_BIG} ({@link IoCounter#GSO_TOO_BIG}).</li>
 *   <li>Other per-datagram errors: every datagram of the train goes to the same destination, so
 *       all of them are refused with that errno.</li>
 * </ul>
 */
final class GsoSwitch {
    private static final System.Logger LOG = System.getLogger("io.switchyard.io");

    /** What to do with a train whose one {@code sendmsg} failed. */
    enum TrainFailure {
        /** EAGAIN: nothing sent; wait for writability. */
        AGAIN,
        /** EIO/EINVAL: GSO off for the socket, resend singly. */
        DOWNGRADE,
        /** EMSGSIZE: resend this train singly, GSO stays on. */
        RESEND_SINGLY,
        /** Another per-datagram error: refuse the whole train. */
        REFUSE_ALL,
        /** Anything else: the socket is broken; throw. */
        FATAL
    }

    private final IoCounters counters;
    private volatile boolean on;

    GsoSwitch(boolean on, IoCounters counters) {
        this.on = on;
        this.counters = counters;
    }

    boolean on() {
        return on;
    }

    /** The action for a train of more than one datagram that failed with {@code errno}. */
    private TrainFailure onTrainFailure(int errno, Object socket, String transport) {
        if (errno == Errno.EAGAIN) {
            return TrainFailure.AGAIN;
        }
        if (errno == Errno.EIO || errno == Errno.EINVAL) {
            if (on) {
                on = false;
                counters.add(IoCounter.GSO_DOWNGRADES, 1);
                LOG.log(System.Logger.Level.WARNING,
                        "UDP GSO send failed with {0} on {1} ({2}); GSO is now off for this socket, train resent without it",
                        Errno.name(errno), socket, transport);
            }
            return TrainFailure.DOWNGRADE;
        }
        if (errno == Errno.EMSGSIZE) {
            counters.add(IoCounter.GSO_TOO_BIG, 1);
            return TrainFailure.RESEND_SINGLY;
        }
        return Errno.isPerDatagram(errno) ? TrainFailure.REFUSE_ALL : TrainFailure.FATAL;
    }

    /** Sends what is left of a batch datagram by datagram (the transport's {@code trySend}). */
    interface SendSingly {
        int trySend(SendBatch batch) throws TransportException;
    }

    /**
     * Handles a train of {@code n > 1} datagrams from {@code start} whose one send failed with
     * {@code errno}: returns what the transport's {@code trySendTrain} returns (0 for EAGAIN,
     * else datagrams consumed), resending singly or refusing the train, or throws.
     */
    int trainFailed(SendBatch batch, int start, int n, int errno, Object socket, String transport, String call,
                    SendSingly singly) throws TransportException {
        switch (onTrainFailure(errno, socket, transport)) {
            case AGAIN -> {
                return 0;
            }
            case DOWNGRADE, RESEND_SINGLY -> {
                return singly.trySend(batch);
            }
            case REFUSE_ALL -> {
                for (int i = start; i < start + n; i++) {
                    batch.refuse(i, errno);
                }
                batch.sent = start + n;
                counters.add(IoCounter.SEND_DROPPED, n);
                return n;
            }
            default -> throw Errno.exception(call, errno);
        }
    }

    /**
     * Handles the one datagram from {@code start} whose send (a one-datagram zerocopy send, say)
     * failed with {@code errno}: 0 for EAGAIN, 1 when refused (recorded and counted), else throws.
     */
    int singleFailed(SendBatch batch, int start, int errno, String call) throws TransportException {
        if (errno == Errno.EAGAIN) {
            return 0;
        }
        if (!Errno.isPerDatagram(errno)) {
            throw Errno.exception(call, errno);
        }
        batch.refuse(start, errno);
        batch.sent = start + 1;
        counters.add(IoCounter.SEND_DROPPED, 1);
        return 1;
    }
}
