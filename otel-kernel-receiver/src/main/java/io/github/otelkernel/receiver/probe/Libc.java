package io.github.otelkernel.receiver.probe;

import static io.github.otelkernel.receiver.probe.NativeLibraries.C_INT;
import static io.github.otelkernel.receiver.probe.NativeLibraries.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The libc calls the agent needs: clocks and error strings. */
public final class Libc {
  public static final int CLOCK_REALTIME = 0;
  public static final int CLOCK_BOOTTIME = 7;

  private static final MethodHandle CLOCK_GETTIME =
      NativeLibraries.downcall(
          NativeLibraries.LINKER.defaultLookup(),
          "clock_gettime",
          FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
  private static final MethodHandle STRERROR =
      NativeLibraries.downcall(
          NativeLibraries.LINKER.defaultLookup(),
          "strerror",
          FunctionDescriptor.of(C_POINTER, C_INT));
  private static final MethodHandle GETEUID =
      NativeLibraries.downcall(
          NativeLibraries.LINKER.defaultLookup(), "geteuid", FunctionDescriptor.of(C_INT));

  private static final MethodHandle MOUNT =
      NativeLibraries.downcall(
          NativeLibraries.LINKER.defaultLookup(),
          "mount",
          FunctionDescriptor.of(
              C_INT, C_POINTER, C_POINTER, C_POINTER, NativeLibraries.C_LONG, C_POINTER),
          java.lang.foreign.Linker.Option.captureCallState("errno"));

  private Libc() {}

  /** mount(2); returns 0 or the errno. */
  public static int mount(String source, String target, String type) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment errno = a.allocate(NativeLibraries.CAPTURE_LAYOUT);
      int rc =
          (int)
              MOUNT.invokeExact(
                  errno,
                  a.allocateFrom(source),
                  a.allocateFrom(target),
                  a.allocateFrom(type),
                  0L,
                  MemorySegment.NULL);
      return rc == 0 ? 0 : Libbpf.errno(errno);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Nanoseconds of the given clock; the per-thread buffer keeps this allocation-free. */
  public static long clockNanos(int clock) {
    MemorySegment ts = TIMESPEC.get();
    try {
      int rc = (int) CLOCK_GETTIME.invokeExact(clock, ts);
      if (rc != 0) {
        throw new IllegalStateException("clock_gettime(" + clock + ") failed");
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
  }

  private static final ThreadLocal<MemorySegment> TIMESPEC =
      ThreadLocal.withInitial(() -> Arena.global().allocate(16, 8));

  public static String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
      return s.reinterpret(256).getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  public static int geteuid() {
    try {
      return (int) GETEUID.invokeExact();
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
