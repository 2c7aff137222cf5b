package org.agentmesh.actor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Asks whose answers complete a plain {@link CompletableFuture} on the thread that delivers the answer.
 *
 * <p><b>Why.</b> Pekko's Java asks ({@link AskPattern#ask}, {@code EntityRef.ask}) return Scala's future converted
 * to a {@code CompletionStage} whose every non-async method ({@code thenApply}, {@code handle}, {@code whenComplete},
 * ...) runs its callback as the {@code *Async} twin on {@code ForkJoinPool.commonPool()}. With 2 cores the common
 * pool has parallelism 1, and {@code CompletableFuture} then starts a new thread for every async callback: in
 * {@code bench raft} with one client, 350 µs (p50) passed between a write's answer arriving on the client's node and
 * its callback running, a quarter of the write's latency. On larger machines the callback still waits for a
 * common-pool worker to wake.
 *
 * <p>Here callbacks attached without an executor run on the thread that completes the ask: the remote transport's
 * stream for an answer from another node, the answering actor's own thread for a local one (as Pekko's Scala API does
 * with its parasitic execution context). They must be short and must not block, like any code on those threads.
 */
public final class Asks {

    /** Runs a callback on the thread that completes the stage it is attached to. */
    private static final Executor SAME_THREAD = Runnable::run;

    private Asks() {}

    /** {@link AskPattern#ask}, completing on the thread that delivers the answer (or the timeout). */
    public static <Req, Res> CompletableFuture<Res> ask(RecipientRef<Req> target, Function<ActorRef<Res>, Req> message,
            Duration timeout, Scheduler scheduler) {
        return onDeliveringThread(AskPattern.ask(target, message::apply, timeout, scheduler));
    }

    /** A plain future completed, on the completing thread, with whatever {@code stage} completes with. */
    public static <T> CompletableFuture<T> onDeliveringThread(CompletionStage<T> stage) {
        CompletableFuture<T> result = new CompletableFuture<>();
        // the explicit executor is the one method family Scala's converted stage does not send to the common pool
        stage.whenCompleteAsync((value, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        }, SAME_THREAD);
        return result;
    }
}
