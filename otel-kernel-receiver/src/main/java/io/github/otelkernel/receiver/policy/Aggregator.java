package io.github.otelkernel.receiver.policy;

import io.github.otelkernel.semconv.EcsCategorization;
import io.github.otelkernel.semconv.KsecAttributeHandling;
import io.github.otelkernel.semconv.KsecAttributes;
import io.opentelemetry.api.common.Attributes;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The policy's rate limit: the first occurrence of an action is emitted at once; repeats of the
 * same action by the same process on the same target within the type's window become one record
 * carrying ksec.event.count (the repeats it stands for) and ksec.event.end, instead of being
 * dropped. So a kill of the agent inside a window loses nothing already seen but the repeats'
 * summary. The table is bounded in windows and in bytes; when either is full the oldest window
 * closes early rather than anything being lost. Used from the poll thread only.
 */
public final class Aggregator {
  /** A mapped record, ready to emit. */
  public record Pending(
      String eventName,
      long epochNanos,
      String body,
      Attributes attributes,
      EcsCategorization ecs) {}

  /**
   * Attributes that differ between repeats of one action (marked merge_volatile in the catalog).
   */
  private static final Set<String> VOLATILE = KsecAttributeHandling.MERGE_VOLATILE;

  /** Default byte budget of the open windows (their keys and held repeats, estimated). */
  public static final long DEFAULT_MAX_BYTES = 16L << 20;

  private static final class Window {
    final long closesAtNanos;
    final long bytes;

    /** The first repeat, held for the summary; null until one comes. */
    Pending firstRepeat;

    long repeats;
    long lastEpochNanos;

    Window(long closesAtNanos, long bytes) {
      this.closesAtNanos = closesAtNanos;
      this.bytes = bytes;
    }
  }

  private final int maxOpen;
  private final long maxBytes;
  private final Consumer<Pending> out;
  private final Map<Key, Window> open = new LinkedHashMap<>();
  private long merged;
  private long bytes;

  public Aggregator(int maxOpen, Consumer<Pending> out) {
    this(maxOpen, DEFAULT_MAX_BYTES, out);
  }

  public Aggregator(int maxOpen, long maxBytes, Consumer<Pending> out) {
    this.maxOpen = maxOpen;
    this.maxBytes = maxBytes;
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
    Key key =
        new Key(
            r.eventName(),
            r.attributes().toBuilder().removeIf(k -> VOLATILE.contains(k.getKey())).build());
    Window w = open.get(key);
    if (w != null) {
      if (w.firstRepeat == null) {
        w.firstRepeat = r;
        bytes += estimate(r); // the held repeat, on top of the key
      } else {
        merged++;
      }
      w.repeats++;
      w.lastEpochNanos = Math.max(w.lastEpochNanos, r.epochNanos());
      return;
    }
    out.accept(r); // the first occurrence leaves at once
    long size = estimate(r);
    while (!open.isEmpty() && (open.size() >= maxOpen || bytes + size > maxBytes)) {
      Iterator<Window> it = open.values().iterator();
      close(it.next());
      it.remove();
    }
    open.put(key, new Window(nowNanos + windowNanos, size));
    bytes += size;
  }

  /** Held bytes of a record (see RecordSize). */
  static long estimate(Pending r) {
    return io.github.otelkernel.receiver.memory.RecordSize.of(r.attributes(), r.body());
  }

  /** Bytes the open windows hold, estimated. */
  public long bytes() {
    return bytes;
  }

  /** Closes the windows whose time is up. Call often (each poll). */
  public void flushExpired(long nowNanos) {
    Iterator<Window> it = open.values().iterator();
    while (it.hasNext()) {
      Window w = it.next();
      if (w.closesAtNanos - nowNanos <= 0) {
        close(w);
        it.remove();
      }
    }
  }

  /** Closes every window: at shutdown, nothing held back is lost. */
  public void flushAll() {
    open.values().forEach(this::close);
    open.clear();
    bytes = 0;
  }

  /** Repeats folded into another record so far. */
  public long merged() {
    return merged;
  }

  public int openWindows() {
    return open.size();
  }

  /** Emits the repeats' summary, if there were repeats, and releases the window's bytes. */
  private void close(Window w) {
    bytes -= w.bytes + (w.firstRepeat == null ? 0 : estimate(w.firstRepeat));
    if (w.repeats == 0) {
      return;
    }
    Pending r = w.firstRepeat;
    if (w.repeats == 1) {
      out.accept(r);
      return;
    }
    Attributes a =
        r.attributes().toBuilder()
            .put(KsecAttributes.EVENT_COUNT, w.repeats)
            .put(KsecAttributes.EVENT_END, Instant.ofEpochSecond(0, w.lastEpochNanos).toString())
            .build();
    out.accept(
        new Pending(
            r.eventName(),
            r.epochNanos(),
            r.body() + " (" + w.repeats + " more times)",
            a,
            r.ecs()));
  }

  @Override
  public String toString() {
    return "Aggregator[open=" + open.size() + ", merged=" + merged + "]";
  }
}
