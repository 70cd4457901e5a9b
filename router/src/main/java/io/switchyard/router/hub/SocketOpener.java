package io.switchyard.router.hub;

import io.switchyard.io.Datagrams;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.zerocopy.UdpZerocopyChannel;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The one platform thread that opens every socket of a hub. It is created by the thread that
 * calls {@code Hub.start}, and a new thread inherits its creator's network namespace, so all of
 * a hub's sockets live in the namespace the hub was started in, whichever thread asks later
 * (a virtual thread could run on any carrier, in any namespace). Opening is rare: a queue and a
 * blocking hand-off are fine.
 */
final class SocketOpener implements Sockets {
    /** Something that opens a socket (or an object around one), run on the opener thread. */
    @FunctionalInterface
    interface Opening<T> {
        T open() throws IOException;
    }

    private record Request(Opening<?> opening, CompletableFuture<Object> result) {}

    private static final Request STOP = new Request(null, null);

    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final Thread thread;

    SocketOpener(String name) {
        // Thread.ofPlatform().start() clones the thread now, from the caller: that fixes the netns.
        thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    private void run() {
        while (true) {
            Request r;
            try {
                r = requests.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == STOP) {
                return;
            }
            try {
                r.result.complete(r.opening.open());
            } catch (Throwable t) {
                r.result.completeExceptionally(t);
            }
        }
    }

    /** Opens a socket on the opener thread and waits for it. */
    @Override
    public UdpSocket open(UdpOptions options) throws IOException {
        return call(() -> Datagrams.open(options));
    }

    @Override
    public UdpZerocopyChannel openZerocopy(UdpOptions options, int maxBatch) throws IOException {
        return call(() -> UdpZerocopyChannel.open(options, maxBatch));
    }

    /** Runs {@code opening} on the opener thread (so its sockets live in the hub's namespace) and waits. */
    @SuppressWarnings("unchecked")
    private <T> T call(Opening<T> opening) throws IOException {
        if (!thread.isAlive()) {
            throw new IOException("the hub's socket opener thread has stopped");
        }
        var result = new CompletableFuture<Object>();
        requests.add(new Request(opening, result));
        try {
            return (T) result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening a socket", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            throw new IOException(c.getMessage(), c);
        }
    }

    @Override
    public void close() {
        requests.add(STOP);
    }
}
