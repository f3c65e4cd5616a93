package io.github.otelkernel.bench;

import io.github.otelkernel.receiver.decode.Credentials;
import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.ProcessInfo;
import io.github.otelkernel.receiver.decode.RawBytes;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.Enricher;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.enrich.UserDirectory;
import io.github.otelkernel.receiver.export.LogRecordMapper;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost per event of the agent's path after the ring buffer: mapping to an OTel log record alone
 * (the baseline), and enrichment plus mapping, on a process table of realistic size. Records go to
 * a processor that drops them, so exporters are not measured here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EnrichmentBenchmark {
  private LogRecordMapper mapper;
  private Enricher enricher;
  private ExecutableHasher hasher;
  private SdkLoggerProvider provider;
  private KernelEvent.ProcessExec exec;
  private KernelEvent.ProcessExit exit;
  private ProcessContext fixedContext;

  @Setup
  public void setUp() throws Exception {
    provider =
        SdkLoggerProvider.builder()
            .addLogRecordProcessor(
                new LogRecordProcessor() {
                  @Override
                  public void onEmit(Context context, ReadWriteLogRecord logRecord) {}
                })
            .build();
    BootClock clock = new BootClock();
    mapper = new LogRecordMapper(provider.get("bench"), clock);
    ProcessTable table = new ProcessTable("bench-host", 65_536, TimeUnit.SECONDS.toNanos(30));
    hasher = new ExecutableHasher(4096, 1);
    enricher =
        new Enricher(
            table,
            new UserDirectory(Path.of("/etc/passwd"), Path.of("/etc/group")),
            hasher,
            h -> {});
    // a host with 2000 processes in a tree 3 deep: init → 40 services → 50 children each
    long start = 1_000_000_000L;
    table.onExec(1, 0, start, "/usr/lib/systemd/systemd", List.of("/sbin/init"), "systemd");
    for (int s = 0; s < 40; s++) {
      int service = 100 + s * 100;
      table.onExec(
          service, 1, start, "/usr/sbin/service" + s, List.of("service" + s), "service" + s);
      for (int c = 1; c <= 50; c++) {
        table.onExec(
            service + c,
            service,
            start,
            "/usr/bin/worker",
            List.of("worker", "--id", "" + c),
            "worker");
      }
    }
    var creds = new Credentials(1000, 1000, 1000, 1000, 1000);
    ProcessInfo p =
        new ProcessInfo(
            clock.bootNanosNow(),
            150,
            150,
            101,
            creds,
            start + 5_000_000_000L,
            77,
            new RawBytes("curl".getBytes(StandardCharsets.UTF_8)),
            101,
            150,
            150,
            4026531836L,
            4026531841L,
            "pts/0");
    exec =
        new KernelEvent.ProcessExec(
            p,
            false,
            new RawBytes("/usr/bin/curl".getBytes(StandardCharsets.UTF_8)),
            false,
            new RawBytes("/home/alice".getBytes(StandardCharsets.UTF_8)),
            false,
            new RawBytes(
                "/user.slice/user-1000.slice/session-3.scope".getBytes(StandardCharsets.UTF_8)),
            new KernelEvent.ExecutableIdentity(2049, 1234, 300_000, 1_700_000_000_000_000_000L),
            List.of(bytes("curl"), bytes("-s"), bytes("https://example.com/install.sh")),
            false,
            false,
            40,
            List.of(),
            false,
            false);
    exit = new KernelEvent.ProcessExit(p, 0);
    fixedContext = enricher.enrich(exec);
  }

  private static RawBytes bytes(String s) {
    return new RawBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  @TearDown
  public void tearDown() {
    hasher.close();
    provider.shutdown();
  }

  /** Baseline: one exec event to a log record, with a context computed once. */
  @Benchmark
  public void mapExec() {
    mapper.emit(exec, fixedContext);
  }

  /**
   * Enrichment (table update, ancestry, leaders, names, container parse, hash cache) plus mapping.
   */
  @Benchmark
  public void enrichAndMapExec() {
    mapper.emit(exec, enricher.enrich(exec));
  }

  /** Enrichment alone, for an exit: the table lookups without the exec's updates. */
  @Benchmark
  public void enrichExit(Blackhole bh) {
    bh.consume(enricher.enrich(exit));
    // keep the process in the table: an exit marks it exited, the next exec revives it
    enricher.enrich(exec);
  }
}
