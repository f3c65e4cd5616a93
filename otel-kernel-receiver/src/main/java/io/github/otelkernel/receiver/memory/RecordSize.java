package io.github.otelkernel.receiver.memory;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.util.Collection;
import java.util.List;

/**
 * What a record holds while it waits in a queue, estimated in bytes: the unit of every byte budget
 * (merge windows, batch queues, sending queues). Strings at two bytes a character (what a
 * non-Latin-1 string takes; Latin-1 ones take half, so the estimate errs on the safe side), a slot
 * per attribute and list element, and a fixed part per record. Keys are not counted: they are
 * shared constants. The same function of the same content on both sides of a queue, so that what is
 * charged on the way in is released on the way out.
 */
public final class RecordSize {
  private static final ContextKey<Long> KEY = ContextKey.named("ksec.record.bytes");
  static final int PER_RECORD = 128;
  static final int PER_ATTRIBUTE = 24;
  static final int PER_ELEMENT = 16;

  private RecordSize() {}

  public static long of(Attributes attributes, String body) {
    long[] n = {PER_RECORD + 2L * (body == null ? 0 : body.length())};
    attributes.forEach(
        (k, v) -> {
          n[0] += PER_ATTRIBUTE;
          if (v instanceof String s) {
            n[0] += 2L * s.length();
          } else if (v instanceof List<?> l) {
            for (Object o : l) {
              n[0] += PER_ELEMENT + (o instanceof String s ? 2L * s.length() : 8);
            }
          }
        });
    return n[0];
  }

  public static long of(LogRecordData r) {
    Value<?> body = r.getBodyValue();
    return of(r.getAttributes(), body == null ? null : body.asString());
  }

  public static long of(Collection<LogRecordData> records) {
    long n = 0;
    for (LogRecordData r : records) {
      n += of(r);
    }
    return n;
  }

  /**
   * The context a record is emitted with, carrying its size so that the batch queue need not
   * recompute it.
   */
  public static Context context(long bytes) {
    return Context.root().with(KEY, bytes);
  }

  /** The size the emitter put in the context, or -1. */
  public static long fromContext(Context context) {
    Long v = context.get(KEY);
    return v == null ? -1 : v;
  }
}
