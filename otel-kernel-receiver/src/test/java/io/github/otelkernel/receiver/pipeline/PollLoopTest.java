package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The loop over a source that stands in for the ring buffer. */
class PollLoopTest {
  /** Waits as a quiet ring buffer does; counts the calls and the thread they came on. */
  static final class FakeSource implements PollLoop.Source {
    final AtomicInteger polls = new AtomicInteger();
    final AtomicInteger drains = new AtomicInteger();
    final AtomicReference<String> thread = new AtomicReference<>();
    volatile RuntimeException fail;

    @Override
    public int poll(int timeoutMillis) {
      thread.set(Thread.currentThread().getName());
      polls.incrementAndGet();
      RuntimeException f = fail;
      if (f != null) {
        throw f;
      }
      try {
        Thread.sleep(timeoutMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }

    @Override
    public int drain() {
      drains.incrementAndGet();
      return 0;
    }
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertTrue(latch.await(30, TimeUnit.SECONDS), "a hang guard, not a timing assertion");
  }

  @Test
  void pollsDrainsAndRunsEachPassOnItsOwnThreadUntilStopped() throws Exception {
    FakeSource source = new FakeSource();
    CountDownLatch passes = new CountDownLatch(3);
    PollLoop loop = new PollLoop(5, passes::countDown, List.of());
    loop.start(source);
    await(passes);
    assertTrue(loop.stop(Duration.ofSeconds(10)), "the thread ended");
    int polls = source.polls.get();
    assertTrue(polls >= 3, polls + " polls");
    assertEquals(polls, source.drains.get(), "a drain after every poll");
    assertEquals(PollLoop.THREAD_NAME, source.thread.get());
    Thread.sleep(50);
    assertEquals(polls, source.polls.get(), "nothing after stop");
    assertNull(loop.failure());
    assertEquals(0, loop.stalledNanos(), "a stopped loop is not stalled");
  }

  @Test
  void periodicTasksRunWhenDueAndNotEveryPass() throws Exception {
    FakeSource source = new FakeSource();
    AtomicInteger passes = new AtomicInteger();
    AtomicInteger hourly = new AtomicInteger();
    CountDownLatch often = new CountDownLatch(2);
    PollLoop loop =
        new PollLoop(
            1,
            passes::incrementAndGet,
            List.of(
                new PollLoop.Periodic(Duration.ofHours(1), hourly::incrementAndGet),
                new PollLoop.Periodic(Duration.ofMillis(1), often::countDown)));
    loop.start(source);
    await(often);
    loop.stop(Duration.ofSeconds(10));
    assertEquals(0, hourly.get(), "not due within the test");
    assertTrue(passes.get() >= 2);
  }

  @Test
  void aFailingSourceEndsTheLoopWithItsCauseAndCountsAsAStall() throws Exception {
    FakeSource source = new FakeSource();
    IllegalStateException boom = new IllegalStateException("ring buffer gone");
    source.fail = boom;
    PollLoop loop = new PollLoop(1, () -> {}, List.of());
    loop.start(source);
    for (int i = 0; i < 3000 && loop.failure() == null; i++) {
      Thread.sleep(10);
    }
    assertSame(boom, loop.failure());
    Thread.sleep(20);
    assertTrue(loop.stalledNanos() > 0, "a dead loop makes no progress: the watchdog must see it");
    assertTrue(loop.stop(Duration.ofSeconds(10)));
    assertEquals(0, loop.stalledNanos());
  }

  @Test
  void progressMarkedWhileHandlingRecordsIsNotAStall() {
    PollLoop loop = new PollLoop(1, () -> {}, List.of());
    assertEquals(0, loop.stalledNanos(), "not started");
    FakeSource source = new FakeSource();
    loop.start(source);
    try {
      loop.markProgress(
          System.nanoTime() + TimeUnit.SECONDS.toNanos(60)); // a record just now (and then some)
      assertEquals(0, loop.stalledNanos());
    } finally {
      loop.stop(Duration.ofSeconds(10));
    }
  }

  @Test
  void startsOnceAndStopsWithoutHavingStarted() {
    PollLoop never = new PollLoop(1, () -> {}, List.of());
    assertTrue(never.stop(Duration.ofMillis(1)));
    PollLoop loop = new PollLoop(1, () -> {}, List.of());
    FakeSource source = new FakeSource();
    loop.start(source);
    try {
      assertThrows(IllegalStateException.class, () -> loop.start(source));
    } finally {
      loop.stop(Duration.ofSeconds(10));
    }
  }

  @Test
  void aPassHeldByABlockedStageDoesNotHoldTheStop() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    PollLoop loop =
        new PollLoop(
            1,
            () -> {
              entered.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            List.of());
    loop.start(new FakeSource());
    await(entered);
    try {
      assertTrue(!loop.stop(Duration.ofMillis(50)), "reported as still running, not waited for");
    } finally {
      release.countDown();
    }
  }
}
