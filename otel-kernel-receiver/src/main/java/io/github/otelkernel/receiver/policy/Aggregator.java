package io.github.otelkernel.receiver.policy;

import io.github.otelkernel.semconv.KsecAttributes;
import io.opentelemetry.api.common.Attributes;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The policy's rate limit: repeats of the same action by the same process on the same target
 * within a type's window become one record carrying ksec.event.count and ksec.event.end, instead
 * of being dropped. The first occurrence is held until its window closes (so a merged type's
 * records leave up to one window late); the table is bounded, and when it is full the oldest
 * window closes early rather than anything being lost. Used from the poll thread only.
 */
public final class Aggregator {
  /** A mapped record, ready to emit. */
  public record Pending(String eventName, long epochNanos, String body, Attributes attributes) {}

  /** Attributes that differ between repeats of one action without making it another. */
  private static final Set<String> VOLATILE = Set.of("thread.id", "source.port", "network.local.port",
      KsecAttributes.SYSCALL_RETURN.getKey(), "ksec.memory.address",
      // enrichment that may arrive between two repeats (the hash is computed off the hot path)
      KsecAttributes.PROCESS_EXECUTABLE_HASH_SHA256.getKey());

  private static final class Window {
    final Pending first;
    final long closesAtNanos;
    long count = 1;
    long lastEpochNanos;

    Window(Pending first, long closesAtNanos) {
      this.first = first;
      this.closesAtNanos = closesAtNanos;
      this.lastEpochNanos = first.epochNanos();
    }
  }

  private final int maxOpen;
  private final Consumer<Pending> out;
  private final Map<Key, Window> open = new LinkedHashMap<>();
  private long merged;

  public Aggregator(int maxOpen, Consumer<Pending> out) {
    this.maxOpen = maxOpen;
    this.out = out;
  }

  private record Key(String eventName, Attributes identity) {}

  /**
   * Emits r now (window 0) or merges it into the open window of its kind.
   *
   * @param nowNanos the monotonic clock ({@link System#nanoTime()})
   */
  public void offer(Pending r, long windowNanos, long nowNanos) {
    if (windowNanos <= 0) {
      out.accept(r);
      return;
    }
    Key key = new Key(r.eventName(),
        r.attributes().toBuilder().removeIf(k -> VOLATILE.contains(k.getKey())).build());
    Window w = open.get(key);
    if (w != null) {
      w.count++;
      w.lastEpochNanos = Math.max(w.lastEpochNanos, r.epochNanos());
      merged++;
      return;
    }
    if (open.size() >= maxOpen) {
      Iterator<Window> it = open.values().iterator();
      emit(it.next());
      it.remove();
    }
    open.put(key, new Window(r, nowNanos + windowNanos));
  }

  /** Closes the windows whose time is up. Call often (each poll). */
  public void flushExpired(long nowNanos) {
    Iterator<Window> it = open.values().iterator();
    while (it.hasNext()) {
      Window w = it.next();
      if (w.closesAtNanos - nowNanos <= 0) {
        emit(w);
        it.remove();
      }
    }
  }

  /** Closes every window: at shutdown, nothing held back is lost. */
  public void flushAll() {
    open.values().forEach(this::emit);
    open.clear();
  }

  /** Repeats folded into another record so far. */
  public long merged() {
    return merged;
  }

  public int openWindows() {
    return open.size();
  }

  private void emit(Window w) {
    if (w.count == 1) {
      out.accept(w.first);
      return;
    }
    Attributes a = w.first.attributes().toBuilder()
        .put(KsecAttributes.EVENT_COUNT, w.count)
        .put(KsecAttributes.EVENT_END, Instant.ofEpochSecond(0, w.lastEpochNanos).toString())
        .build();
    out.accept(new Pending(w.first.eventName(), w.first.epochNanos(), w.first.body() + " (" + w.count + " times)", a));
  }

  @Override
  public String toString() {
    return "Aggregator[open=" + open.size() + ", merged=" + merged + "]";
  }
}
