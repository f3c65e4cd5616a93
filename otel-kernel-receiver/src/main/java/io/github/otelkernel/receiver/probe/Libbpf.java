package io.github.otelkernel.receiver.probe;

import static io.github.otelkernel.receiver.probe.NativeLibraries.C_INT;
import static io.github.otelkernel.receiver.probe.NativeLibraries.C_LONG;
import static io.github.otelkernel.receiver.probe.NativeLibraries.C_POINTER;
import static io.github.otelkernel.receiver.probe.NativeLibraries.downcall;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.BiConsumer;

/**
 * The few libbpf 1.x entry points the agent needs, called through the Foreign Function & Memory
 * API. Thin on purpose: ownership and error handling live in {@link BpfProbes}.
 */
final class Libbpf {
  static final int LIBBPF_WARN = 0;
  static final int LIBBPF_INFO = 1;
  static final int LIBBPF_DEBUG = 2;

  private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

  final MethodHandle objectOpenMem; // struct bpf_object *(const void *, size_t, const opts *)
  final MethodHandle objectLoad; // int (struct bpf_object *)
  final MethodHandle objectClose; // void (struct bpf_object *)
  final MethodHandle objectNextProgram; // struct bpf_program *(obj, prev)
  final MethodHandle objectFindMap; // struct bpf_map *(obj, const char *)
  final MethodHandle programName; // const char *(prog)
  final MethodHandle programSectionName; // const char *(prog)
  final MethodHandle programAttach; // struct bpf_link *(prog), errno on NULL
  final MethodHandle linkDestroy; // int (link)
  final MethodHandle mapFd; // int (map)
  final MethodHandle objectNextMap; // struct bpf_map *(obj, prev)
  final MethodHandle programFd; // int (prog)
  final MethodHandle linkFd; // int (link)
  final MethodHandle objGetInfoByFd; // int bpf_obj_get_info_by_fd(int fd, void *info, u32 *len)
  final MethodHandle mapSetMaxEntries; // int (map, u32)
  final MethodHandle mapLookupElem; // int bpf_map_lookup_elem(int fd, const void *key, void *value)
  final MethodHandle
      mapUpdateElem; // int bpf_map_update_elem(int fd, const void *key, const void *value, u64
  // flags)
  final MethodHandle mapDeleteElem; // int bpf_map_delete_elem(int fd, const void *key)
  final MethodHandle
      mapGetNextKey; // int bpf_map_get_next_key(int fd, const void *key, void *next_key)
  final MethodHandle programSetAutoload; // int (prog, bool)
  final MethodHandle programAutoload; // bool (prog): false for programs left out of the load
  final MethodHandle numPossibleCpus; // int ()
  final MethodHandle ringBufferNew; // struct ring_buffer *(int fd, cb, ctx, opts), errno on NULL
  final MethodHandle ringBufferPoll; // int (rb, int timeout_ms)
  final MethodHandle ringBufferConsume; // int (rb)
  final MethodHandle ringBufferFree; // void (rb)
  final MethodHandle programType; // enum bpf_prog_type (prog)
  final MethodHandle mapType; // enum bpf_map_type (map)
  final MethodHandle probeProgramType; // int libbpf_probe_bpf_prog_type(type, opts): 1 supported
  final MethodHandle probeMapType; // int libbpf_probe_bpf_map_type(type, opts): 1 supported
  final MethodHandle programTypeName; // const char *libbpf_bpf_prog_type_str(type)
  final MethodHandle mapTypeName; // const char *libbpf_bpf_map_type_str(type)
  private final MethodHandle setPrint; // libbpf_print_fn_t (libbpf_print_fn_t)
  private final MethodHandle vsnprintf; // int (char *, size_t, const char *, va_list)

  private static Libbpf instance;

  static synchronized Libbpf get() {
    if (instance == null) {
      instance = new Libbpf(NativeLibraries.libbpf());
    }
    return instance;
  }

  private Libbpf(SymbolLookup lib) {
    objectOpenMem =
        downcall(
            lib,
            "bpf_object__open_mem",
            FunctionDescriptor.of(C_POINTER, C_POINTER, C_LONG, C_POINTER),
            ERRNO);
    objectLoad = downcall(lib, "bpf_object__load", FunctionDescriptor.of(C_INT, C_POINTER));
    objectClose = downcall(lib, "bpf_object__close", FunctionDescriptor.ofVoid(C_POINTER));
    objectNextProgram =
        downcall(
            lib,
            "bpf_object__next_program",
            FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER));
    objectFindMap =
        downcall(
            lib,
            "bpf_object__find_map_by_name",
            FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER));
    programName = downcall(lib, "bpf_program__name", FunctionDescriptor.of(C_POINTER, C_POINTER));
    programSectionName =
        downcall(lib, "bpf_program__section_name", FunctionDescriptor.of(C_POINTER, C_POINTER));
    programAttach =
        downcall(lib, "bpf_program__attach", FunctionDescriptor.of(C_POINTER, C_POINTER), ERRNO);
    linkDestroy = downcall(lib, "bpf_link__destroy", FunctionDescriptor.of(C_INT, C_POINTER));
    mapFd = downcall(lib, "bpf_map__fd", FunctionDescriptor.of(C_INT, C_POINTER));
    objectNextMap =
        downcall(
            lib, "bpf_object__next_map", FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER));
    programFd = downcall(lib, "bpf_program__fd", FunctionDescriptor.of(C_INT, C_POINTER));
    linkFd = downcall(lib, "bpf_link__fd", FunctionDescriptor.of(C_INT, C_POINTER));
    objGetInfoByFd =
        downcall(
            lib,
            "bpf_obj_get_info_by_fd",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER),
            ERRNO);
    mapSetMaxEntries =
        downcall(lib, "bpf_map__set_max_entries", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    mapLookupElem =
        downcall(
            lib,
            "bpf_map_lookup_elem",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER),
            ERRNO);
    mapUpdateElem =
        downcall(
            lib,
            "bpf_map_update_elem",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_LONG),
            ERRNO);
    mapDeleteElem =
        downcall(lib, "bpf_map_delete_elem", FunctionDescriptor.of(C_INT, C_INT, C_POINTER), ERRNO);
    mapGetNextKey =
        downcall(
            lib,
            "bpf_map_get_next_key",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER),
            ERRNO);
    programSetAutoload =
        downcall(
            lib,
            "bpf_program__set_autoload",
            FunctionDescriptor.of(C_INT, C_POINTER, ValueLayout.JAVA_BOOLEAN));
    programAutoload =
        downcall(
            lib,
            "bpf_program__autoload",
            FunctionDescriptor.of(ValueLayout.JAVA_BOOLEAN, C_POINTER));
    numPossibleCpus = downcall(lib, "libbpf_num_possible_cpus", FunctionDescriptor.of(C_INT));
    ringBufferNew =
        downcall(
            lib,
            "ring_buffer__new",
            FunctionDescriptor.of(C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER),
            ERRNO);
    ringBufferPoll =
        downcall(lib, "ring_buffer__poll", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    ringBufferConsume =
        downcall(lib, "ring_buffer__consume", FunctionDescriptor.of(C_INT, C_POINTER));
    ringBufferFree = downcall(lib, "ring_buffer__free", FunctionDescriptor.ofVoid(C_POINTER));
    programType = downcall(lib, "bpf_program__type", FunctionDescriptor.of(C_INT, C_POINTER));
    mapType = downcall(lib, "bpf_map__type", FunctionDescriptor.of(C_INT, C_POINTER));
    probeProgramType =
        downcall(lib, "libbpf_probe_bpf_prog_type", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    probeMapType =
        downcall(lib, "libbpf_probe_bpf_map_type", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    programTypeName =
        downcall(lib, "libbpf_bpf_prog_type_str", FunctionDescriptor.of(C_POINTER, C_INT));
    mapTypeName = downcall(lib, "libbpf_bpf_map_type_str", FunctionDescriptor.of(C_POINTER, C_INT));
    setPrint = downcall(lib, "libbpf_set_print", FunctionDescriptor.of(C_POINTER, C_POINTER));
    // va_list is passed as a pointer on x86-64 and arm64 SysV, so libc can format it for us
    vsnprintf =
        downcall(
            lib,
            "vsnprintf",
            FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_POINTER, C_POINTER));
  }

  /** Routes libbpf's own messages to {@code sink(level, line)} instead of stderr. */
  void setPrintCallback(BiConsumer<Integer, String> sink) {
    printSink = sink;
    try {
      MethodHandle target =
          MethodHandles.lookup()
              .findStatic(
                  Libbpf.class,
                  "onPrint",
                  MethodType.methodType(
                      int.class, int.class, MemorySegment.class, MemorySegment.class));
      MemorySegment stub =
          NativeLibraries.LINKER.upcallStub(
              target, FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER), Arena.global());
      var unused = (MemorySegment) setPrint.invokeExact(stub);
    } catch (Throwable t) {
      throw new ProbeException("cannot install the libbpf log callback: " + t);
    }
  }

  private static volatile BiConsumer<Integer, String> printSink;

  @SuppressWarnings("unused") // upcall target
  private static int onPrint(int level, MemorySegment format, MemorySegment vaList) {
    try {
      var sink = printSink;
      if (sink == null) {
        return 0;
      }
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment buf = arena.allocate(1024);
        int n = (int) get().vsnprintf.invokeExact(buf, 1024L, format, vaList);
        if (n > 0) {
          sink.accept(level, buf.getString(0).stripTrailing());
        }
      }
    } catch (Throwable ignored) {
      // an exception must never unwind into native code
    }
    return 0;
  }

  static int errno(MemorySegment captureState) {
    return (int) NativeLibraries.ERRNO.get(captureState, 0L);
  }
}
