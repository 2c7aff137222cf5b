package org.agentmesh.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AsksTest {

    record Ping(ActorRef<String> replyTo) {}

    private static final ActorTestKit kit = ActorTestKit.create("AsksTest");
    private static final ActorRef<Ping> echo = kit.spawn(Behaviors.receive(Ping.class)
            .onMessage(Ping.class, p -> {
                p.replyTo().tell("pong");
                return Behaviors.same();
            }).build());

    @AfterAll
    static void shutDown() {
        kit.shutdownTestKit();
    }

    private static boolean onActorSystemThread(Thread t) {
        return t.getName().startsWith(kit.system().name() + "-");
    }

    sealed interface Held {}

    record Hold(ActorRef<String> replyTo) implements Held {}

    record Release() implements Held {}

    /** Answers the held ask only when released: the callback is attached before the answer exists. */
    private static org.apache.pekko.actor.typed.Behavior<Held> holding(ActorRef<String> waiting) {
        return Behaviors.receive(Held.class)
                .onMessage(Hold.class, h -> holding(h.replyTo()))
                .onMessage(Release.class, r -> {
                    waiting.tell("pong");
                    return Behaviors.same();
                }).build();
    }

    @Test
    void callbacksRunOnTheThreadThatDeliversTheAnswer() throws Exception {
        ActorRef<Held> holder = kit.spawn(holding(kit.system().ignoreRef()));
        var answered = Asks.<Held, String>ask(holder, Hold::new, Duration.ofSeconds(3), kit.scheduler())
                .thenApply(reply -> reply + " on " + Thread.currentThread().getName());
        assertFalse(answered.isDone());
        holder.tell(new Release());
        String result = answered.get(5, TimeUnit.SECONDS);
        assertTrue(result.startsWith("pong on " + kit.system().name() + "-"), "callback ran off the actor system: " + result);
    }

    /** Why Asks exists: Pekko's own Java ask sends every callback to the common pool (a new thread on 2 cores). */
    @Test
    void pekkosJavaAskRunsCallbacksOffTheActorSystem() throws Exception {
        Thread ran = AskPattern.<Ping, String>ask(echo, Ping::new, Duration.ofSeconds(3), kit.scheduler())
                .thenApply(reply -> Thread.currentThread())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertFalse(onActorSystemThread(ran), "Pekko's ask callback ran on " + ran.getName() + ": Asks may be unneeded now");
    }

    @Test
    void anUnansweredAskFailsWithATimeout() {
        ActorRef<Ping> silent = kit.spawn(Behaviors.receive(Ping.class).onMessage(Ping.class, p -> Behaviors.same()).build());
        var asked = Asks.ask(silent, Ping::new, Duration.ofMillis(100), kit.scheduler());
        ExecutionException e = assertThrows(ExecutionException.class, () -> asked.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
    }

    @Test
    void aFailedStageFailsTheFutureWithItsCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        var failed = Asks.onDeliveringThread(java.util.concurrent.CompletableFuture.<String>failedFuture(boom));
        ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(1, TimeUnit.SECONDS));
        assertEquals(boom, e.getCause());
    }
}
