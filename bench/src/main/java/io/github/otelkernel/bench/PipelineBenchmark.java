package io.github.otelkernel.bench;

import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.Enricher;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.enrich.UserDirectory;
import io.github.otelkernel.receiver.export.LogRecordMapper;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.logs.LowAllocationLogsRequestMarshaler;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The other stages of the per-event path, per event: decoding a ring-buffer record, mapping a
 * system-call event (a file open) to a log record, and encoding a batch of 512 records as the OTLP
 * protobuf request the exporter sends (both of the SDK's marshalers; ns/op is per batch). Run with
 * -prof gc for bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PipelineBenchmark {
  private final RecordDecoder decoder = new RecordDecoder();
  private byte[] openRecord;
  private KernelEvent.SysCall open;
  private LogRecordMapper mapper;
  private ProcessContext context;
  private List<LogRecordData> batch;
  private final LowAllocationLogsRequestMarshaler lowAllocation =
      new LowAllocationLogsRequestMarshaler();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);

  @Setup
  public void setUp() {
    // a sys_event as the kernel writes it (events.h): file.open of /etc/shadow by pid 42, 200-byte
    // head
    byte[] path = "/etc/shadow".getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(200 + path.length).order(ByteOrder.nativeOrder());
    b.putShort(0, (short) 25).putShort(2, (short) 3).putLong(8, 123_456_789L);
    b.putInt(16, 42)
        .putInt(20, 42)
        .putInt(24, 1)
        .putInt(28, 1000)
        .putInt(32, 1000)
        .putInt(36, 1000)
        .putInt(40, 1000);
    b.putInt(44, -1)
        .putLong(48, 1_000L)
        .putLong(56, 77L)
        .put(64, "cat".getBytes(StandardCharsets.US_ASCII));
    b.putInt(80, 40)
        .putInt(84, 42)
        .putInt(88, 42)
        .putInt(92, (int) 4026531836L)
        .putInt(96, (int) 4026531841L);
    b.putLong(128, 3).putLong(136, 0).putInt(184, 257).putShort(188, (short) path.length);
    b.position(200);
    b.put(path);
    openRecord = b.array();
    open = (KernelEvent.SysCall) decoder.decode(openRecord);

    List<LogRecordData> captured = new ArrayList<>();
    SdkLoggerProvider provider =
        SdkLoggerProvider.builder()
            .addLogRecordProcessor(
                new LogRecordProcessor() {
                  @Override
                  public void onEmit(Context ctx, ReadWriteLogRecord logRecord) {
                    if (captured.size() < 512) {
                      captured.add(logRecord.toLogRecordData());
                    }
                  }
                })
            .build();
    BootClock clock = new BootClock();
    mapper = new LogRecordMapper(provider.get("bench"), clock, pid -> Optional.empty(), 1);
    ProcessTable table = new ProcessTable("bench-host", 1024, TimeUnit.SECONDS.toNanos(30));
    table.onExec(42, 1, 1_000L, "/usr/bin/cat", List.of("cat", "/etc/shadow"), "cat");
    Enricher enricher =
        new Enricher(
            table,
            new UserDirectory(Path.of("/etc/passwd"), Path.of("/etc/group")),
            new ExecutableHasher(16, 1),
            h -> {});
    context = enricher.enrich(open);
    for (int i = 0; i < 512; i++) {
      mapper.emit(open, context);
    }
    batch = List.copyOf(captured);
  }

  @Benchmark
  public KernelEvent decodeSysEvent() {
    return decoder.decode(openRecord);
  }

  @Benchmark
  public void mapFileOpen() {
    mapper.emit(open, context);
  }

  @Benchmark
  public int encodeBatchOf512() throws Exception {
    out.reset();
    LogsRequestMarshaler.create(batch).writeBinaryTo(out);
    return out.size();
  }

  @Benchmark
  public int encodeBatchOf512LowAllocation(Blackhole bh) throws Exception {
    out.reset();
    lowAllocation.initialize(batch);
    try {
      lowAllocation.writeBinaryTo(out);
    } finally {
      lowAllocation.reset();
    }
    return out.size();
  }
}
