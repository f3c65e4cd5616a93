package io.github.otelkernel.receiver.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * SIGHUP as "reload the policy". The JVM leaves a signal that was ignored when it started ignored
 * (sun.misc.Signal.handle then installs nothing): an agent started under nohup, or by a shell or
 * supervisor that ignores SIGHUP, would never hear a reload. So the inherited disposition is reset
 * to the default first, and the handler installed right after it.
 */
final class ReloadSignal {
  private static final Logger LOG = Logger.getLogger(ReloadSignal.class.getName());
  private static final int SIGHUP = 1;

  private ReloadSignal() {}

  /** Sets the flag on each SIGHUP, from now on. */
  static void install(AtomicBoolean reload) {
    resetToDefault();
    sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> reload.set(true));
  }

  private static void resetToDefault() {
    try {
      Linker linker = Linker.nativeLinker();
      MethodHandle signal =
          linker.downcallHandle(
              linker.defaultLookup().find("signal").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
      // SIG_DFL is the null handler
      MemorySegment previous = (MemorySegment) signal.invokeExact(SIGHUP, MemorySegment.NULL);
      if (previous.address() == 1L) { // SIG_IGN
        LOG.fine("SIGHUP was ignored by whoever started the agent; reload on SIGHUP restored");
      }
    } catch (Throwable e) {
      LOG.warning(
          "could not reset SIGHUP to its default ("
              + e
              + "): if the agent was started with SIGHUP ignored (nohup), reload by restart");
    }
  }
}
