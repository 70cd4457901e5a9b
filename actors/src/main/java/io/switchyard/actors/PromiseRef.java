package io.switchyard.actors;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** The one-shot reply reference of an ask: the first message told completes the future. */
final class PromiseRef<R> implements ActorRef<R> {
    private final ActorSystem system;
    private final String target;
    private final CompletableFuture<R> future = new CompletableFuture<>();

    PromiseRef(ActorSystem system, String target) {
        this.system = system;
        this.target = target;
    }

    CompletableFuture<R> future() {
        return future;
    }

    void fail(Throwable t) {
        future.completeExceptionally(t);
    }

    void timeOut() {
        if (future.completeExceptionally(new TimeoutException("ask of " + target + " timed out"))) {
            system.count(ActorCounter.ASK_TIMEOUTS);
        }
    }

    @Override
    public boolean tell(R message) {
        if (future.complete(message)) {
            return true;
        }
        system.count(ActorCounter.DEAD_LETTERS); // a late or second reply
        return false;
    }

    @Override
    public int tellAll(List<? extends R> messages) {
        int accepted = 0;
        for (R m : messages) {
            if (tell(m)) {
                accepted++;
            }
        }
        return accepted;
    }

    @Override
    public <Q> CompletableFuture<Q> ask(Function<ActorRef<Q>, ? extends R> request, Duration timeout) {
        throw new UnsupportedOperationException("a reply reference cannot be asked");
    }

    @Override
    public void stop() {
        future.completeExceptionally(new ActorTerminatedException("reply reference stopped"));
    }

    @Override
    public boolean isTerminated() {
        return future.isDone();
    }

    @Override
    public String name() {
        return "ask:" + target;
    }
}
