package io.switchyard.io;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Readiness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * The NIO transport's readiness thread: one platform thread in {@link Selector#select()} that
 * unparks waiting threads, the portable twin of the epoll poller. The selector is level-triggered,
 * so a waiter adds its interest before parking and the poller removes the interest it reports;
 * a key whose interest is empty costs nothing in {@code select}.
 */
final class NioPoller {
    private static NioPoller instance;
    private final Selector selector;

    static synchronized NioPoller instance() {
        if (instance == null) {
            instance = new NioPoller();
        }
        return instance;
    }

    private NioPoller() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name("switchyard-nio-poller").start(this::run);
    }

    SelectionKey register(DatagramChannel channel, Readiness readiness) throws IOException {
        SelectionKey key = channel.register(selector, 0, readiness);
        selector.wakeup();
        return key;
    }

    /** Parks until {@code op} is ready on {@code key} (or the readiness is closed). */
    void await(SelectionKey key, Readiness readiness, int op, int bit, String call) throws TransportException {
        try {
            key.interestOpsOr(op);
        } catch (java.nio.channels.CancelledKeyException e) {
            throw new SocketClosedException(call);
        }
        selector.wakeup();
        readiness.await(bit, call);
    }

    private void run() {
        while (true) {
            try {
                selector.select(key -> {
                    Readiness r = (Readiness) key.attachment();
                    int ready;
                    try {
                        ready = key.readyOps();
                        key.interestOpsAnd(~ready);
                    } catch (java.nio.channels.CancelledKeyException e) {
                        return;
                    }
                    int bits = 0;
                    if ((ready & SelectionKey.OP_READ) != 0) {
                        bits |= Readiness.READ;
                    }
                    if ((ready & SelectionKey.OP_WRITE) != 0) {
                        bits |= Readiness.WRITE;
                    }
                    r.signalBits(bits);
                });
            } catch (IOException | RuntimeException e) {
                System.getLogger("io.switchyard.io").log(System.Logger.Level.ERROR, "NIO poller failed", e);
                return;
            }
        }
    }
}
