package io.github.otelkernel.receiver.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Finds native symbols and builds downcall handles; errno is captured where libbpf reports through
 * it.
 */
final class NativeLibraries {
  static final Linker LINKER = Linker.nativeLinker();
  static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
  static final VarHandle ERRNO =
      CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private NativeLibraries() {}

  /** libbpf.so.1 from the system's library path, or a one-line explanation of how to install it. */
  static SymbolLookup libbpf() {
    try {
      return SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
    } catch (IllegalArgumentException e) {
      throw new ProbeException(
          "libbpf.so.1 not found: install it with 'apt-get install libbpf1' (Debian/Ubuntu) or 'dnf install libbpf'");
    }
  }

  static MethodHandle downcall(
      SymbolLookup lookup, String name, FunctionDescriptor fd, Linker.Option... options) {
    var symbol =
        lookup
            .find(name)
            .or(() -> LINKER.defaultLookup().find(name))
            .orElseThrow(
                () ->
                    new ProbeException(
                        "native symbol "
                            + name
                            + " not found: libbpf 1.0 or newer is needed (apt-get install libbpf1)"));
    return LINKER.downcallHandle(symbol, fd, options);
  }

  static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
  static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
  static final java.lang.foreign.AddressLayout C_POINTER = ValueLayout.ADDRESS;
}
